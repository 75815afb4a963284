from django.urls import path

from coordination import views

app_name = "coordination"
urlpatterns = [
    path("accounts/", views.user_list, name="users"),
    path("accounts/<int:pk>/", views.user_detail, name="user_detail"),
    path("accounts/invite/", views.user_invite, name="user_invite"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/remind/", views.round_remind, name="round_remind"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_log_csv, name="audit_csv"),
]
