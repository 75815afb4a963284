from django.urls import path

from responses import views

app_name = "responses"
urlpatterns = [
    path("", views.response_list, name="list"),
    path("joint/new/", views.joint_response_create, name="joint_create"),
    path("country/<str:code>/", views.country_response, name="country"),
    path("<int:pk>/", views.response_detail, name="detail"),
    path("<int:pk>/questions/<int:number>/", views.response_question, name="question"),
    path("<int:pk>/questions/<int:number>/autosave/", views.response_autosave, name="autosave"),
    path("<int:pk>/presence/", views.response_presence, name="presence"),
    path("<int:pk>/details/", views.response_details, name="details"),
    path("<int:pk>/history/", views.response_history, name="history"),
    path("<int:pk>/compare/", views.response_diff, name="diff"),
    path("<int:pk>/versions/<int:number>/", views.response_version, name="version"),
    path("<int:pk>/versions/<int:number>/restore/", views.response_restore, name="restore"),
    path("<int:pk>/submit/", views.response_submit_view, name="submit"),
    path("<int:pk>/return/", views.response_return_view, name="return"),
]
