from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "jiuzhu.workorders"
    label = "workorders"
    verbose_name = "工单"
