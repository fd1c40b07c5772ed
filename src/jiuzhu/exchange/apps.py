from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "jiuzhu.exchange"
    label = "exchange"
    verbose_name = "部门数据交换"
