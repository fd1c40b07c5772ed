import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiuzhu.core.demo import DEMO_PASSWORD, create_demo_accounts, demo_accounts
from jiuzhu.org.models import OrgUnit

DEMO_LOCALITY = "demo-530103"


class Command(BaseCommand):
    help = "建立并启动演示区县：迁移数据库，生成约5000户演示家庭和各角色演示账号，然后启动网站"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动网站")

    def handle(self, *args, households: int, seed: int, addr: str, no_serve: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not OrgUnit.objects.exists():
            from jiuzhu.registry.synth.loader import load_district

            self.stdout.write(f"正在生成演示区县（{households} 户，随机种子 {seed}）……")
            load_district(households=households, seed=seed)
        create_demo_accounts()
        self._demo_feeds()
        if not settings.JIUZHU_LOCALITY:
            # The district's own pack leaves unfound local amounts unknown; the demo pack fills them with values
            # marked as demonstration assumptions, so that every calculation can be shown.
            settings.JIUZHU_LOCALITY = DEMO_LOCALITY
            (settings.DATA_DIR / "locality").write_text(DEMO_LOCALITY, encoding="utf-8")
            self.stdout.write(f"政策包：{DEMO_LOCALITY}（盘龙区政策 + 标明为“演示假设值”的当地数额）")
        self._demo_screening()
        self._demo_reviews()
        self._demo_cases()
        self.stdout.write(self.style.SUCCESS(f"\n演示账号（密码均为 {DEMO_PASSWORD}）："))
        for spec in demo_accounts():
            self.stdout.write(f"  {spec['username']:<12} {spec['role'].label:<14} {spec['org_unit'].name}")
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(f"\n打开 http://{addr}/ 登录。按 Ctrl+C 停止。\n"))
        # The background worker (uploaded files, the watched folder inbox/<数据源>/) runs beside the web server.
        jiuzhu = [sys.executable, "-c", "from jiuzhu.cli import main; main()"]
        worker = subprocess.Popen([*jiuzhu, "run_huey", "--workers", "2", "-k", "thread", "--quiet"])
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)

    def _demo_screening(self) -> None:
        """One 政策找人 run, so that its page has findings (the worker runs it again every night)."""
        from jiuzhu.monitoring.models import ScreeningRun
        from jiuzhu.monitoring.screening import screening_execute, screening_start

        if ScreeningRun.objects.exists():
            return
        self.stdout.write("正在进行首次政策找人筛查……")
        run = screening_execute(screening_start(actor=None, trigger="cli", queue=False))
        self.stdout.write(
            f"  {run.households} 户：应享未享 {run.missing} 项，疑似不再符合 {run.ineligible} 项（{run.seconds} 秒）"
        )

    def _demo_reviews(self) -> None:
        """Three-colour classification and the reviews due, as the night does (once: colours exist after it)."""
        from jiuzhu.reviews.models import ColourClassification
        from jiuzhu.reviews.services import reviews_run

        if ColourClassification.objects.exists():
            return
        self.stdout.write("正在按三色规则分类并生成到期的复核工单……")
        summary = reviews_run()
        colours = "，".join(f"{k or '未分类'} {v}" for k, v in summary["by_colour"].items())
        self.stdout.write(f"  {summary['households']} 户（{colours}）；开出复核工单 {summary['opened']} 张")

    def _demo_cases(self) -> None:
        """Applications at every step of the procedure (once), one of them approved last month and paid this month."""
        from jiuzhu.cases.demo import load_demo_cases

        created = load_demo_cases()
        if created:
            self.stdout.write(
                f"正在建立演示救助申请……\n  {created} 件（待补齐材料、调查、核对、公示、待审批、已批准、急难先行救助）"
            )

    def _demo_feeds(self) -> None:
        """Department files in the watched folder, imported once, so every page of the exchange has something."""
        from jiuzhu.exchange.demo import load_demo_feeds
        from jiuzhu.exchange.models import FeedBatch
        from jiuzhu.policy.localities import today

        if FeedBatch.objects.exists():
            return
        self.stdout.write("正在导入演示部门数据（监控目录 inbox/）……")
        for path, result in load_demo_feeds(settings.JIUZHU_FEED_INBOX, today=today()):
            self.stdout.write(f"  {path.parent.name}/{path.name}：{result}")
