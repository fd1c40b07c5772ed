from django.urls import path

from jiuzhu.leads import views

app_name = "leads"

urlpatterns = [
    path("leads/", views.lead_list_page, name="list"),
    path("leads/new/", views.lead_new, name="new"),
    path("leads/register/", views.lead_register_page, name="register"),
    path("leads/subjects/", views.subject_search, name="subjects"),
    path("leads/<int:lead_id>/", views.lead_detail, name="detail"),
    path("leads/<int:lead_id>/verify/", views.lead_verify_view, name="verify"),
    path("leads/<int:lead_id>/photo/", views.lead_photo, name="photo"),
    path("points/", views.points_page, name="points"),
    path("public/leads/new/", views.public_report, name="public_report"),
    path("public/points/", views.public_balance, name="public_balance"),
]
