from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("security/", views.security, name="security"),
    path("language/", views.language_choose, name="language"),
    path("two-factor/recover/<str:token>/", views.two_factor_recover_view, name="two_factor_recover"),
]
