from django.core.management.base import BaseCommand, CommandError

from jiuzhu.audit.services import verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链是否完整（检测篡改、删除、插入）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action: str, **options):
        checked, problems = verify_chain()
        for p in problems[:50]:
            self.stderr.write(f"第 {p.seq} 条：{p.problem}")
        if problems:
            raise CommandError(f"审计链校验失败：共检查 {checked} 条，发现 {len(problems)} 处问题。")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {checked} 条记录，哈希链校验通过。"))
