from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "jiuzhu.reviews"
    label = "reviews"
    verbose_name = "三色管理与动态复核"
