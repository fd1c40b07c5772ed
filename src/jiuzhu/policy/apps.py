from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "jiuzhu.policy"
    label = "policy"
    verbose_name = "政策清单与规则"
