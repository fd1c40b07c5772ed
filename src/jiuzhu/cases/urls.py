"""Staff pages of applications and cases (namespace "cases"). The printed documents (PDF: the one-time notice, the
decision and refusal letters, the public notice list and card) join the same namespace from urls_print.py once it
exists."""

from importlib.util import find_spec

from django.urls import path

from jiuzhu.cases import views

app_name = "cases"
urlpatterns = [
    path("applications/", views.application_list_page, name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/new/materials/", views.intake_materials, name="intake_materials"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path("applications/<int:application_id>/materials/", views.application_materials, name="application_materials"),
    path("applications/<int:application_id>/accept/", views.application_accept_view, name="application_accept"),
    path("applications/<int:application_id>/withdraw/", views.application_withdraw_view, name="application_withdraw"),
    path("cases/", views.case_list_page, name="cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/act/<slug:action>/", views.case_act, name="case_act"),
    path("cases/<int:case_id>/photos/<int:photo_id>/", views.case_photo, name="case_photo"),
    path("alerts/<int:alert_id>/refer/", views.alert_refer, name="alert_refer"),
]

if find_spec("jiuzhu.cases.urls_print") is not None:  # the printed documents, written beside these pages
    from jiuzhu.cases.urls_print import urlpatterns as print_urlpatterns

    urlpatterns += print_urlpatterns

from jiuzhu.cases import urls_citizen  # noqa: E402  (the citizen's public pages: /public/apply/…)

urlpatterns += urls_citizen.urlpatterns
