"""`jiuzhu createadmin --username U --full-name NAME --unit CODE`: the first administrator of a district (after
`jiuzhu orgtree` has loaded it). The password is asked twice, or read from JIUZHU_ADMIN_PASSWORD."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.errors import JiuzhuError
from jiuzhu.org import services
from jiuzhu.org.models import OrgUnit, Staff


class Command(BaseCommand):
    help = "创建区县的系统管理员账号（首次安装时使用；其他账号在平台内逐级创建）"

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True, help="登录名")
        parser.add_argument("--full-name", required=True, help="姓名")
        parser.add_argument("--unit", required=True, help="区县的行政区划代码（先用 jiuzhu orgtree 导入）")
        parser.add_argument("--phone", default="", help="手机号（可选）")

    def handle(self, *args, username: str, full_name: str, unit: str, phone: str, **options):
        district = OrgUnit.objects.filter(division_code=unit.strip()).first()
        if district is None:
            raise CommandError(f"平台中没有代码为 {unit} 的单元；请先用 jiuzhu orgtree 导入组织架构")
        if district.level != OrgUnit.Level.DISTRICT:
            raise CommandError(f"{district.name}是{district.get_level_display()}；系统管理员应设在区/县一级")
        if Staff.objects.filter(username=username).exists():
            raise CommandError(f"登录名“{username}”已被使用")
        password = os.environ.get("JIUZHU_ADMIN_PASSWORD") or self._ask_password()
        candidate = Staff(username=username, full_name=full_name)
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from None
        try:
            services.staff_create(
                actor=None,
                username=username,
                full_name=full_name,
                role=Staff.Role.ADMIN,
                org_unit=district,
                password=password,
                phone=phone,
                superuser=True,
            )
        except JiuzhuError as exc:
            raise CommandError(exc.message) from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"已创建{district.name}系统管理员“{username}”（{full_name}），可登录 /admin/ 与平台")

    def _ask_password(self) -> str:
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再输入一次："):
            raise CommandError("两次输入的密码不一致")
        return first
