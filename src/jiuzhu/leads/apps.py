from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "jiuzhu.leads"
    label = "leads"
    verbose_name = "线索与积分"
