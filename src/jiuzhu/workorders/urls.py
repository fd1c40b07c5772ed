from django.urls import path

from jiuzhu.workorders import views

app_name = "workorders"

urlpatterns = [
    path("workorders/", views.work_order_list_page, name="list"),
    path("workorders/supervision/", views.supervision_page, name="supervision"),
    path("workorders/bulletin/", views.bulletin_page, name="bulletin"),
    path("workorders/bulletin.xlsx", views.bulletin_export, name="bulletin_export"),
    path("workorders/<int:work_order_id>/", views.work_order_detail, name="detail"),
    path("workorders/<int:work_order_id>/accept/", views.accept_view, name="accept"),
    path("workorders/<int:work_order_id>/assign/", views.assign_view, name="assign"),
    path("workorders/<int:work_order_id>/feedback/", views.feedback_view, name="feedback"),
    path("workorders/<int:work_order_id>/close/", views.close_view, name="close"),
    path("workorders/<int:work_order_id>/return/", views.return_view, name="return"),
    path("workorders/<int:work_order_id>/reassign/", views.reassign_view, name="reassign"),
    path(
        "workorders/<int:work_order_id>/photos/<int:attachment_id>/",
        views.attachment_view,
        name="attachment",
    ),
]
