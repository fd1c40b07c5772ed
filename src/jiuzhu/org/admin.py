"""The administrator's tools for the organisation. Every save goes into the audit log like any other change."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from jiuzhu.audit import services as audit
from jiuzhu.org.models import ApiClient, Department, OrgUnit, ServicePoint, Staff


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = {field: str(form.cleaned_data.get(field)) for field in form.changed_data if field != "password"}
        audit.record(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.{'change' if change else 'add'}",
            obj=obj,
            changes=changed,
        )

    def delete_model(self, request, obj):
        audit.record(actor=request.user, action=f"admin.{obj._meta.model_name}.delete", obj=obj)
        super().delete_model(request, obj)


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    list_display = ["name", "level", "division_code", "parent", "is_urban", "is_active"]
    list_filter = ["level", "is_urban", "is_active"]
    search_fields = ["name", "division_code"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        if change and "parent" in form.changed_data:
            self.message_user(request, _("不能在此移动单元的上级；请新建单元后迁移人员和家庭。"), messages.ERROR)
            return
        if not change:
            from jiuzhu.org.services import org_unit_create

            created = org_unit_create(
                actor=request.user,
                name=obj.name,
                level=obj.level,
                division_code=obj.division_code,
                parent=obj.parent,
                is_urban=obj.is_urban,
            )
            obj.pk, obj.path = created.pk, created.path
            return
        super().save_model(request, obj, form, change)


@admin.register(ServicePoint)
class ServicePointAdmin(AuditedAdmin):
    list_display = ["name", "kind", "org_unit", "phone"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "is_joint_meeting_member"]
    list_filter = ["kind", "is_joint_meeting_member"]
    search_fields = ["name", "code"]


@admin.register(Staff)
class StaffAdmin(UserAdmin, AuditedAdmin):
    list_display = ["username", "full_name", "role", "org_unit", "department", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("人员"), {"fields": ["full_name", "phone", "role", "org_unit", "department", "service_point"]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser", "user_permissions"]}),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "full_name", "role", "org_unit", "department", "password1", "password2"]}),
    ]


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdmin):
    list_display = ["name", "staff", "token_prefix", "is_active", "last_used_at"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at"]
    fields = ["name", "staff", "is_active", "token_prefix", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from jiuzhu.org.services import api_client_create

        created, token = api_client_create(actor=request.user, name=obj.name, staff=obj.staff)
        obj.pk = created.pk
        self.message_user(request, _("接口令牌（只显示这一次，请立即妥善保存）：%s") % token, messages.WARNING)
