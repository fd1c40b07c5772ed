from django.urls import path

from jiuzhu.exchange import views

app_name = "exchange"

urlpatterns = [
    path("exchange/", views.batch_list, name="batches"),
    path("exchange/batches/<uuid:batch_id>/", views.batch_detail, name="batch"),
    path("exchange/batches/<uuid:batch_id>/rejected.xlsx", views.batch_rejected, name="batch_rejected"),
    path("exchange/reviews/", views.review_list, name="reviews"),
    path("exchange/reviews/<int:review_id>/decide/", views.review_decide, name="review_decide"),
    path("exchange/sources/", views.source_list, name="sources"),
    path("exchange/suspicions/", views.suspicion_list, name="suspicions"),
    path("exchange/suspicions/<slug:department_code>.xlsx", views.suspicion_export, name="suspicion_export"),
]
