from django.urls import path

from jiuzhu.policy import views

app_name = "policy"

urlpatterns = [
    path("self-check/", views.self_check, name="self_check"),
    path("policies/", views.catalogue_list, name="catalogue"),
    path("what-if/", views.what_if_page, name="what_if"),
    path("policies/<str:key>/", views.catalogue_detail, name="catalogue_detail"),
    path("policies/<str:key>/edit/", views.catalogue_edit, name="catalogue_edit"),
    path("households/<int:household_id>/eligibility/", views.household_eligibility, name="household_eligibility"),
    path(
        "households/<int:household_id>/eligibility.pdf",
        views.household_eligibility_pdf,
        name="household_eligibility_pdf",
    ),
]
