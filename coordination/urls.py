from django.urls import path

from coordination import views

app_name = "coordination"
urlpatterns = [
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/remind/", views.round_remind, name="round_remind"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_log_csv, name="audit_csv"),
]
