"""The citizen's public pages (网上申请), included into cases/urls.py (namespace "cases"); no staff log-in."""

from django.urls import path

from jiuzhu.cases import citizen_views

urlpatterns = [
    path("public/apply/", citizen_views.citizen_home, name="citizen_home"),
    path("public/apply/login/", citizen_views.citizen_login, name="citizen_login"),
    path("public/apply/logout/", citizen_views.citizen_logout, name="citizen_logout"),
    path("public/apply/new/", citizen_views.citizen_new, name="citizen_new"),
    path("public/apply/mine/", citizen_views.citizen_mine, name="citizen_mine"),
    path("public/apply/<slug:number>/", citizen_views.citizen_detail, name="citizen_detail"),
]
