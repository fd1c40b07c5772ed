from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jiuzhu.monitoring"
    label = "monitoring"
    verbose_name = "主动发现与监测预警"
