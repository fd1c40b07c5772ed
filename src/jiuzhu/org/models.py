"""R1 organisation: the four-level tree, service points, departments, staff and their roles.

Jurisdiction is a subtree of OrgUnit. Each unit stores its materialised `path` ("/1/7/42/") so that
"everything under this street" is one indexed prefix filter on both SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnit(models.Model):
    """A node of the administrative tree: district → street/town → community/village → grid (R1.1)."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("区/县")
        STREET = "street", _("街道/镇")
        COMMUNITY = "community", _("社区/村")
        GRID = "grid", _("网格")

    LEVEL_ORDER = [Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID]

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    # GB/T 2260 six digits for a district; 9 (street/town) or 12 (community/village) with the statistical codes;
    # a grid carries its community's code plus a local suffix.
    division_code = models.CharField(_("行政区划代码"), max_length=20, unique=True)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False)
    is_urban = models.BooleanField(_("城镇"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织单元")
        verbose_name_plural = _("组织单元")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.LEVEL_ORDER.index(self.Level(self.level))

    def subtree(self) -> models.QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(path__startswith=self.path)

    def ancestors(self) -> models.QuerySet[OrgUnit]:
        ids = [int(p) for p in self.path.strip("/").split("/")]
        return OrgUnit.objects.filter(pk__in=ids).order_by("path")

    def contains(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)

    def full_name(self) -> str:
        return " / ".join(u.name for u in self.ancestors())


class ServicePoint(models.Model):
    """A place where people are served: a street's one-stop window, a community's assistance station (R1.2)."""

    class Kind(models.TextChoices):
        WINDOW = "window", _("一门受理窗口")
        STATION = "station", _("社会救助服务站")
        CENTRE = "centre", _("党群/为民服务中心")

    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="service_points", verbose_name=_("所属单元"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.STATION)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    opening_hours = models.CharField(_("办公时间"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("服务点")
        verbose_name_plural = _("服务点")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A member unit of the social-assistance joint meeting (联席会议成员单位, R1.4), or a social organisation."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("政府部门")
        SOCIAL = "social", _("社会组织/慈善机构")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.GOVERNMENT)
    district = models.ForeignKey(OrgUnit, models.PROTECT, related_name="departments", verbose_name=_("所属区县"))
    is_joint_meeting_member = models.BooleanField(_("联席会议成员单位"), default=True)
    duties = models.TextField(_("职责"), blank=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def liaisons(self) -> models.QuerySet[Staff]:
        return self.staff.filter(role=Staff.Role.DEPARTMENT_LIAISON, is_active=True)


class StaffManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`jiuzhu createsuperuser` asks for the unit (its id); the account is the district's administrator."""
        extra_fields.setdefault("role", "admin")
        if not isinstance(extra_fields.get("org_unit"), OrgUnit | None):  # the command passes the unit's id
            extra_fields["org_unit_id"] = extra_fields.pop("org_unit")
        return super().create_superuser(username, email, password, **extra_fields)


class Staff(AbstractUser):
    """A person who works in the platform. What they may do comes from `role`; where, from `org_unit` (R1.3)."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("系统管理员")
        DISTRICT_APPROVER = "district_approver", _("区县审批人员")
        STREET_OFFICER = "street_officer", _("街道民政事务员")
        COMMUNITY_COORDINATOR = "community_coordinator", _("社区救助协理员")
        GRID_WORKER = "grid_worker", _("网格员")
        DEPARTMENT_LIAISON = "department_liaison", _("部门联络员")
        SOCIAL_ORGANISATION = "social_organisation", _("社会组织人员")
        SUPERVISOR = "supervisor", _("督查人员（只读）")

    full_name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="staff", verbose_name=_("管辖单元"))
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("所属部门")
    )
    service_point = models.ForeignKey(
        ServicePoint, models.SET_NULL, null=True, blank=True, related_name="staff", verbose_name=_("服务点")
    )

    objects = StaffManager()

    REQUIRED_FIELDS = ["full_name", "org_unit"]

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        constraints = [
            models.CheckConstraint(
                name="staff_liaison_has_department",
                condition=~models.Q(role__in=["department_liaison", "social_organisation"])
                | models.Q(department__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.get_role_display()}）"

    @property
    def is_department_member(self) -> bool:
        return self.role in {self.Role.DEPARTMENT_LIAISON, self.Role.SOCIAL_ORGANISATION}

    @property
    def is_read_only(self) -> bool:
        return self.role == self.Role.SUPERVISOR

    def jurisdiction(self) -> models.QuerySet[OrgUnit]:
        """The units this person may see: their own and everything below it."""
        return self.org_unit.subtree()


class ApiClient(models.Model):
    """A machine that calls the API with a bearer token, acting as one staff account (its scope and role)."""

    name = models.CharField(_("名称"), max_length=100)
    staff = models.ForeignKey(Staff, models.CASCADE, related_name="api_clients", verbose_name=_("代表的账号"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=8, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return "jz_" + secrets.token_urlsafe(32)
