from django.contrib import admin
from django.urls import include, path

from jiuzhu.config.api import api

urlpatterns = [
    path("", include("jiuzhu.web.urls")),
    path("", include("jiuzhu.policy.urls")),
    path("", include("jiuzhu.exchange.urls")),
    path("", include("jiuzhu.verification.urls")),
    path("", include("jiuzhu.workorders.urls")),
    path("", include("jiuzhu.reviews.urls")),
    path("", include("jiuzhu.monitoring.urls")),
    path("", include("jiuzhu.leads.urls")),
    path("", include("jiuzhu.cases.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
