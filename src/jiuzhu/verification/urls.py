from django.urls import path

from jiuzhu.verification import views

app_name = "verification"

urlpatterns = [
    path("verifications/", views.verification_list_page, name="list"),
    path("households/<int:household_id>/verifications/", views.household_verifications, name="household"),
    path("verifications/<int:verification_id>/", views.verification_detail, name="detail"),
    path("verifications/<int:verification_id>/start/", views.verification_start_view, name="start"),
    path("verifications/<int:verification_id>/complete/", views.verification_complete_view, name="complete"),
    path("verifications/<int:verification_id>/report/", views.verification_report_page, name="report"),
    path("verifications/<int:verification_id>/report.pdf", views.verification_report_pdf, name="report_pdf"),
]
