from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jiuzhu.cases"
    verbose_name = _("救助申请与审核")
