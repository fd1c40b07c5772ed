"""政策找人 (R3.7): decide every registered household for every programme of the locality with the policy engine,
and list who qualifies for something they do not get, and who gets something they may no longer qualify for.

The registry is snapshotted to Parquet (analytics/snapshot.py), turned into the engine's facts in DuckDB
(policy/population.py — the mapping held equal to the single-household path by tests/policy/test_population.py),
and decided by the same compiled program as the window's check. Findings are written in one transaction: a run
that fails leaves no half list. A run is compared with the locality's previous finished run: new, resolved and
still-open findings.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jiuzhu.analytics.snapshot import registry_snapshot
from jiuzhu.audit import services as audit
from jiuzhu.monitoring.errors import MonitoringError, MonitoringErrorCode
from jiuzhu.monitoring.models import ScreeningFinding, ScreeningRun
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import RUN_SCREENING
from jiuzhu.policy.compiler import compile_pack
from jiuzhu.policy.engine import plain, run_result
from jiuzhu.policy.facts import PROGRAMME_CODES
from jiuzhu.policy.localities import home_locality, today
from jiuzhu.policy.packs import load_pack
from jiuzhu.policy.population import population_relations

log = logging.getLogger(__name__)


def _progress(run: ScreeningRun, stage: str, pct: int) -> None:
    run.stage, run.progress = stage, pct
    ScreeningRun.objects.filter(pk=run.pk).update(stage=stage, progress=pct)


def screenable_programmes(locality: str) -> dict[str, str]:
    """Programmes that a household receives month by month and that the registry records (code → name)."""
    pack = load_pack(locality)
    return {
        code: prog.name
        for code, prog in pack.programmes.items()
        if code in PROGRAMME_CODES and prog.benefit_period == "monthly"
    }


def screening_start(
    *,
    actor: Staff | None,
    locality: str | None = None,
    as_of: date | None = None,
    trigger: str = "manual",
    queue: bool = True,
) -> ScreeningRun:
    """Start a run: queued for the worker (or, with queue=False, for the caller to execute). A run already queued
    or running is returned instead of a second one."""
    if actor is not None and not actor.has_perm(RUN_SCREENING):
        audit.record(actor=actor, action="screening.start.refused")
        raise MonitoringError(MonitoringErrorCode.NOT_ALLOWED)  # the refusal's audit row stays: no transaction yet
    with transaction.atomic():
        return _start(actor, load_pack(locality or home_locality()).folder, as_of, trigger, queue)


def _start(actor: Staff | None, locality: str, as_of: date | None, trigger: str, queue: bool) -> ScreeningRun:
    busy = ScreeningRun.objects.filter(locality=locality, status__in=["queued", "running"]).first()
    if busy:
        return busy
    run = ScreeningRun.objects.create(
        locality=locality, as_of=as_of or today(), trigger=trigger, started_by=actor, stage="排队中"
    )
    audit.record(actor=actor, action="screening.start", obj=run, changes={"as_of": run.as_of.isoformat()})
    if queue:
        from jiuzhu.monitoring.tasks import screening_task

        transaction.on_commit(lambda: screening_task(run.pk))
    return run


def screening_execute(run: ScreeningRun, *, households: QuerySet | None = None) -> ScreeningRun:
    """Do the run: snapshot, decide, write findings. Never raises for a failed run: the run says why."""
    started = time.perf_counter()
    work = Path(settings.DATA_DIR) / "screening" / str(run.pk)
    try:
        run.status = ScreeningRun.Status.RUNNING
        run.save(update_fields=["status"])
        _progress(run, "导出在册数据", 5)
        registry_snapshot(work, households=households)
        _progress(run, "政策计算", 35)
        found, counts = _decide(run, work)
        _progress(run, "写入结果", 80)
        _store(run, found, counts, time.perf_counter() - started)
    except Exception as exc:
        log.exception("screening run %s failed", run.pk)
        ScreeningRun.objects.filter(pk=run.pk).update(
            status=ScreeningRun.Status.FAILED, stage="失败", error=str(exc)[:2000], finished_at=timezone.now()
        )
        run.refresh_from_db()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return run


def findings_query(locality: str, result_table: str) -> str:
    """The findings of a bulk result (hh_id, programme, kind, amount) against what the `households` relation says
    each household receives: eligible and not receiving → missing; receiving and not eligible → ineligible.
    Unknown (NULL) decides neither."""
    pack = load_pack(locality)
    selects = []
    for code in screenable_programmes(locality):
        suffix = "h" if pack.programmes[code].unit == "member" else ""
        eligible, benefit = f'r."{code}__{suffix}eligible"', f'r."{code}__{suffix}benefit"'
        source = f'FROM "{result_table}" AS r JOIN households AS h USING (hh_id)'
        selects.append(
            f"SELECT r.hh_id, '{code}' AS programme, 'missing' AS kind, {benefit} AS amount {source} "
            f"WHERE {eligible} IS TRUE AND NOT h.on_{code}"
        )
        selects.append(
            f"SELECT r.hh_id, '{code}', 'ineligible', NULL {source} WHERE {eligible} IS FALSE AND h.on_{code}"
        )
    return " UNION ALL ".join(selects) or "SELECT NULL AS hh_id, '' AS programme, '' AS kind, NULL AS amount LIMIT 0"


def _decide(run: ScreeningRun, work: Path) -> tuple[list[tuple[int, str, str, float | None]], dict]:
    program = compile_pack(run.locality, run.as_of, "decisions")
    con = duckdb.connect(":memory:")
    try:
        population_relations(con, work, as_of=run.as_of)
        h_table = run_result(program, con, "household")  # the member result is not read
        rows = plain(con.sql(findings_query(run.locality, h_table)).to_arrow_table()).to_pylist()
        counts = {
            "households": con.sql("SELECT count(*) FROM households").fetchall()[0][0],
            "persons": con.sql("SELECT count(*) FROM members").fetchall()[0][0],
        }
    finally:
        con.close()
    found = [(r["hh_id"], r["programme"], r["kind"], r["amount"]) for r in rows]
    return found, counts


def _streets() -> dict[int, int | None]:
    """Every unit → the street it lies in (None above the streets)."""
    units = list(OrgUnit.objects.values_list("pk", "path", "level"))
    street_by_path = {path: pk for pk, path, level in units if level == OrgUnit.Level.STREET}
    out = {}
    for pk, path, _ in units:
        parts = path.strip("/").split("/")
        out[pk] = next(
            (
                street_by_path[p]
                for i in range(len(parts))
                if (p := "/" + "/".join(parts[: i + 1]) + "/") in street_by_path
            ),
            None,
        )
    return out


@transaction.atomic
def _store(run: ScreeningRun, found: list, counts: dict, seconds: float) -> None:
    from jiuzhu.registry.models import Household

    unit_of = dict(Household.objects.filter(pk__in={f[0] for f in found}).values_list("pk", "org_unit_id"))
    street_of_unit = _streets()
    before = previous_run(run)
    sent = {}
    if before is not None:  # a finding still open keeps the work order already sent for it
        sent = {
            (hh, programme, kind): order
            for hh, programme, kind, order in before.findings.filter(work_order_id__isnull=False).values_list(
                "household_id", "programme", "kind", "work_order_id"
            )
        }
    ScreeningFinding.objects.bulk_create(
        [
            ScreeningFinding(
                run=run,
                household_id=hh,
                street_id=street_of_unit.get(unit_of.get(hh)),
                programme=programme,
                kind=kind,
                monthly_amount=round(amount, 2) if amount is not None else None,
                work_order_id=sent.get((hh, programme, kind)),
            )
            for hh, programme, kind, amount in found
        ],
        batch_size=5000,
    )
    run.status, run.stage, run.progress = ScreeningRun.Status.DONE, "完成", 100
    run.households, run.persons = counts["households"], counts["persons"]
    run.missing = sum(1 for f in found if f[2] == "missing")
    run.ineligible = sum(1 for f in found if f[2] == "ineligible")
    run.seconds, run.finished_at = round(seconds, 2), timezone.now()
    run.save()
    audit.record(
        actor=None, action="screening.done", obj=run, changes={"missing": run.missing, "ineligible": run.ineligible}
    )


# --- Reading runs ---------------------------------------------------------------------------------------------


def findings_in_scope(run: ScreeningRun, *, actor: Staff) -> QuerySet[ScreeningFinding]:
    qs = run.findings.select_related("household", "street")
    if actor.is_department_member:
        return qs.none()
    return qs.filter(household__org_unit__path__startswith=actor.org_unit.path)


def previous_run(run: ScreeningRun) -> ScreeningRun | None:
    return (
        ScreeningRun.objects.filter(
            locality=run.locality, status=ScreeningRun.Status.DONE, created_at__lt=run.created_at
        )
        .order_by("-created_at")
        .first()
    )


@dataclass
class Comparison:
    previous: ScreeningRun | None
    new: list[ScreeningFinding]
    still_open: list[ScreeningFinding]
    resolved: list[ScreeningFinding]  # findings of the previous run no longer found


def compare(run: ScreeningRun, *, actor: Staff) -> Comparison:
    before = previous_run(run)
    now = list(findings_in_scope(run, actor=actor))
    if before is None:
        return Comparison(None, now, [], [])
    earlier = list(findings_in_scope(before, actor=actor))
    earlier_keys = {f.key for f in earlier}
    now_keys = {f.key for f in now}
    return Comparison(
        previous=before,
        new=[f for f in now if f.key not in earlier_keys],
        still_open=[f for f in now if f.key in earlier_keys],
        resolved=[f for f in earlier if f.key not in now_keys],
    )


def by_street(findings: list[ScreeningFinding]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"missing": 0, "ineligible": 0})
    for f in findings:
        table[f.street.name if f.street else "—"][f.kind] += 1
    return dict(sorted(table.items()))


# --- Sending findings to the communities ------------------------------------------------------------------------

TASKS = {
    ScreeningFinding.Kind.MISSING: "入户核实家庭情况，告知可申请的救助政策（一次性告知），本人申请有困难的协助申请",
    ScreeningFinding.Kind.INELIGIBLE: "入户核实家庭人口、收入和财产变化，按规定调整、暂停或停止救助待遇",
}


def screening_dispatch(*, actor: Staff, run: ScreeningRun) -> int:
    """Send every finding in the actor's jurisdiction that has no work order yet to the household's community:
    one work order per household and kind, listing its programmes. Returns how many work orders were made."""
    if not (actor.has_perm(RUN_SCREENING) and actor.has_perm("registry.change_household")):
        audit.record(actor=actor, action="screening.dispatch.refused", obj=run)
        raise MonitoringError(MonitoringErrorCode.NOT_ALLOWED)
    from jiuzhu.monitoring.routing import community_of_unit
    from jiuzhu.registry.selectors import head_names
    from jiuzhu.workorders.services import work_order_create

    names = screenable_programmes(run.locality)
    pending = findings_in_scope(run, actor=actor).filter(work_order_id__isnull=True)
    grouped: dict[tuple[int, str], list[ScreeningFinding]] = defaultdict(list)
    for finding in pending:
        grouped[(finding.household_id, finding.kind)].append(finding)
    heads = head_names(households=[f[0].household for f in grouped.values()])
    made = 0
    with transaction.atomic():
        for (household_id, kind), findings in grouped.items():
            household = findings[0].household
            listed = "、".join(
                names.get(f.programme, f.programme) + (f"（测算 {f.monthly_amount} 元/月）" if f.monthly_amount else "")
                for f in findings
            )
            label = ScreeningFinding.Kind(kind).label
            order = work_order_create(
                actor=actor,
                kind="screening",
                title=f"政策找人：{heads.get(household_id, household.number)} {label}",
                description=f"{run.as_of:%Y-%m-%d} 政策找人（#{run.pk}）：{label}：{listed}。\n处置要求：{TASKS[kind]}",
                household=household,
                owner_unit=community_of_unit(household.org_unit),
                origin="screening",
                origin_id=findings[0].pk,
                locality=run.locality,
            )
            ScreeningFinding.objects.filter(pk__in=[f.pk for f in findings]).update(work_order_id=order.pk)
            made += 1
        audit.record(actor=actor, action="screening.dispatch", obj=run, changes={"work_orders": made})
    return made
