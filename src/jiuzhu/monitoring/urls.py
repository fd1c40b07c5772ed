from django.urls import path

from jiuzhu.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("alerts/", views.alert_list_page, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/dismiss/", views.alert_dismiss_view, name="alert_dismiss"),
    path("screening/", views.screening_list, name="screening"),
    path("screening/start/", views.screening_start_view, name="screening_start"),
    path("screening/<int:run_id>/", views.screening_detail, name="screening_run"),
    path("screening/<int:run_id>/progress/", views.screening_progress, name="screening_progress"),
    path("screening/<int:run_id>/dispatch/", views.screening_dispatch_view, name="screening_dispatch"),
]
