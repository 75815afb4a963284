from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("compare/", views.comparison, name="comparison"),
    path("compare/troops/", views.troops_view, name="troops"),
    path("compare/us-support/", views.us_support_view, name="us_support"),
    path("compare/stationing/", views.stationing_view, name="stationing"),
    path("compare/agreement/", views.agreement_view, name="agreement"),
    path("compare/sanctions/", views.sanctions_view, name="sanctions"),
    path("compare/changes/", views.changes_view, name="changes"),
    path("compare/status/", views.status_view, name="status"),
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status_json"),
    path("<int:pk>/retry/", views.report_retry_view, name="retry"),
    path("<int:pk>/rebuild/", views.report_rebuild_view, name="rebuild"),
    path("<int:pk>/in-language/", views.report_in_language_view, name="in_language"),
    path("<int:pk>/download/<str:fmt>/", views.report_download, name="download"),
]
