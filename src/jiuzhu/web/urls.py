from django.urls import path

from jiuzhu.web import views

app_name = "web"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("households/", views.household_search, name="household_search"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("persons/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:person_id>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("org/", views.org_tree, name="org_tree"),
    path("audit/", views.audit_log, name="audit_log"),
    path("healthz", views.healthz, name="healthz"),
]
