"""`jiuzhu screen`: a 政策找人 run over the whole registry, in this process, with the comparison printed."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.errors import JiuzhuError
from jiuzhu.monitoring.models import ScreeningFinding
from jiuzhu.monitoring.screening import previous_run, screenable_programmes, screening_execute, screening_start


class Command(BaseCommand):
    help = "政策找人：按政策包测算全部在册家庭，列出应享未享和疑似不再符合的家庭（与上一次比较）"

    def add_arguments(self, parser):
        parser.add_argument("--locality", default=None, help="政策包（默认本地）")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="测算日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, locality=None, as_of=None, **options):
        try:
            run = screening_start(actor=None, locality=locality, as_of=as_of, trigger="cli", queue=False)
        except JiuzhuError as exc:
            raise CommandError(exc.message) from None
        if run.status != run.Status.QUEUED:
            raise CommandError(f"已有一次筛查正在进行（#{run.pk}，{run.get_status_display()}），请稍后再试")
        run = screening_execute(run)
        if run.status != run.Status.DONE:
            raise CommandError(f"筛查失败：{run.error}")
        names = screenable_programmes(run.locality)
        self.stdout.write(
            f"筛查 #{run.pk}（{run.locality}，测算日期 {run.as_of}）：{run.households} 户 {run.persons} 人，"
            f"用时 {run.seconds} 秒；应享未享 {run.missing} 项，疑似不再符合 {run.ineligible} 项"
        )
        for code, name in names.items():
            missing = run.findings.filter(programme=code, kind=ScreeningFinding.Kind.MISSING).count()
            ineligible = run.findings.filter(programme=code, kind=ScreeningFinding.Kind.INELIGIBLE).count()
            if missing or ineligible:
                self.stdout.write(f"  {name}：应享未享 {missing}，疑似不再符合 {ineligible}")
        before = previous_run(run)
        if before is not None:
            now = {f.key for f in run.findings.all()}
            earlier = {f.key for f in before.findings.all()}
            self.stdout.write(
                f"与 #{before.pk}（{before.created_at:%Y-%m-%d %H:%M}）相比：新增 {len(now - earlier)}，"
                f"仍未解决 {len(now & earlier)}，已解决 {len(earlier - now)}"
            )
