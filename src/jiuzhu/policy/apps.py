from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "jiuzhu.policy"
    label = "policy"
    verbose_name = "政策清单与规则"

    def ready(self) -> None:
        from jiuzhu.policy import checks_django  # noqa: F401 - registers the system check
