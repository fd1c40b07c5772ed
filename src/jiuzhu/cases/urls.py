"""Staff pages of applications, cases and payments (namespace "cases"), with the printed documents (urls_print.py)
and the citizen's public pages (urls_citizen.py) in the same namespace."""

from django.urls import path

from jiuzhu.cases import application_views, case_views, payment_views, urls_citizen, urls_print

app_name = "cases"
urlpatterns = [
    path("applications/", application_views.application_list_page, name="applications"),
    path("applications/new/", application_views.application_new, name="application_new"),
    path("applications/new/materials/", application_views.intake_materials, name="intake_materials"),
    path("applications/<int:application_id>/", application_views.application_detail, name="application"),
    path(
        "applications/<int:application_id>/materials/",
        application_views.application_materials,
        name="application_materials",
    ),
    path(
        "applications/<int:application_id>/accept/",
        application_views.application_accept_view,
        name="application_accept",
    ),
    path(
        "applications/<int:application_id>/withdraw/",
        application_views.application_withdraw_view,
        name="application_withdraw",
    ),
    path("cases/", case_views.case_list_page, name="cases"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case"),
    path("cases/<int:case_id>/act/<slug:action>/", case_views.case_act, name="case_act"),
    path("cases/<int:case_id>/photos/<int:photo_id>/", case_views.case_photo, name="case_photo"),
    path("alerts/<int:alert_id>/refer/", case_views.alert_refer, name="alert_refer"),
    path("payments/", payment_views.roll_list_page, name="payment_rolls"),
    path("payments/<int:roll_id>/", payment_views.roll_detail, name="payment_roll"),
    path("payments/<int:roll_id>/<slug:action>/", payment_views.roll_act, name="payment_roll_act"),
    path("households/<int:household_id>/payments/", payment_views.household_payments, name="household_payments"),
]

urlpatterns += urls_print.urlpatterns + urls_citizen.urlpatterns
