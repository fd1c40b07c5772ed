"""The printed documents of applications and cases and the public notice list. No app_name here: these join the
"cases" namespace through cases/urls.py, which extends its urlpatterns with them."""

from django.urls import path

from jiuzhu.cases import printing

urlpatterns = [
    path("cases/<int:case_id>/decision.pdf", printing.decision_letter_pdf, name="decision_letter_pdf"),
    path("cases/<int:case_id>/refusal.pdf", printing.refusal_letter_pdf, name="refusal_letter_pdf"),
    path("cases/<int:case_id>/notice-card.pdf", printing.notice_card_pdf, name="notice_card_pdf"),
    path("applications/<int:application_id>/notice.pdf", printing.one_time_notice_pdf, name="one_time_notice_pdf"),
    path("notices/", printing.notice_list, name="notice_list"),
    path("notices.pdf", printing.notice_list_pdf, name="notice_list_pdf"),
]
