from django.urls import path

from jiuzhu.reviews import views

app_name = "reviews"

urlpatterns = [
    path("colours/", views.colours_page, name="colours"),
    path("colours/run/", views.colours_run, name="colours_run"),
    path("ledger/", views.ledger_page, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("households/<int:household_id>/reviews/", views.household_reviews_page, name="household"),
]
