"""Deciding households' colours and review needs from colours.yaml (reads only; services.py writes the outcome).

Each household's file on the date becomes its facts document (jiuzhu.policy.registry_facts), the same one the
policy engine decides; the rules are tried in file order and the first that holds gives the colour. Then the
schedule of that colour and every minimum whose condition holds are merged per review kind, the shortest
interval winning.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from jiuzhu.policy.errors import FactsInvalid
from jiuzhu.policy.facts import facts_rows, validate_facts
from jiuzhu.policy.registry_facts import household_documents
from jiuzhu.registry.choices import ColorClass
from jiuzhu.registry.models import Household
from jiuzhu.reviews.config import ColourConfig, ColourRule, ScheduleEntry
from jiuzhu.reviews.models import HouseholdFlag
from jiuzhu.reviews.rules import Evaluation


@dataclass
class Need:
    """One review kind a household needs: every `every_months`, because of `entries` (the shortest first)."""

    kind: str
    every_months: int
    entries: list[ScheduleEntry] = field(default_factory=list)

    @property
    def basis(self) -> str:
        parts = []
        for e in sorted(self.entries, key=lambda e: e.every_months):
            who = f"{ColorClass(e.colour).label}：" if e.colour else ""
            parts.append(f"{who}{e.label}（每{e.every_months}个月）")
        return "；".join(parts)[:300]

    @property
    def reference(self) -> str:
        shortest = min(self.entries, key=lambda e: e.every_months)
        return shortest.reference[:300]


@dataclass
class Outcome:
    household: Household
    in_scope: bool = False
    rule: ColourRule | None = None
    needs: dict[str, Need] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # conditions that could not be decided on the date
    skipped: str = ""  # why the household could not be classified at all (its colour is left as it is)

    @property
    def colour(self) -> str:
        return self.rule.colour if self.rule else ""

    def reason(self, config: ColourConfig) -> str:
        """The reason written to the household's history when its colour changes."""
        if self.rule is not None:
            return f"三色分类规则：{self.rule.label}（{config.file} 第{self.rule.line}行，{self.rule.reference}）"
        if not self.in_scope:
            return f"三色分类规则：不在三色管理范围（{config.file}：applies_to）"
        return f"三色分类规则：不符合任何一条规则，未分类（{config.file}）"


def active_flags(household_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    rows = HouseholdFlag.objects.filter(household_id__in=household_ids, cleared_at__isnull=True)
    for household_id, code in rows.values_list("household_id", "code"):
        found[household_id].add(code)
    return found


def classify(households: list[Household], *, config: ColourConfig, as_of: date) -> list[Outcome]:
    """The outcome for each household, in the order given."""
    documents = household_documents(households, as_of=as_of)
    flags = active_flags([h.pk for h in households])
    outcomes = []
    for household in households:
        outcome = Outcome(household)
        outcomes.append(outcome)
        document = documents[household.pk]
        if not document["members"]:
            outcome.skipped = "没有在册的家庭成员"
            continue
        try:
            facts = validate_facts(document, as_of=as_of)
        except FactsInvalid as exc:
            outcome.skipped = "；".join(p["where"] + "：" + p["problem"] for p in exc.problems[:3])
            continue
        row, members = facts_rows(facts, as_of=as_of, household_id=household.pk)
        evaluation = Evaluation(
            config.names, as_of=as_of, household=row, members=members, flags=flags.get(household.pk, set())
        )

        def holds(tree, what: str, evaluation=evaluation, outcome=outcome) -> bool:
            answer = evaluation.holds(tree)
            if answer is None:
                outcome.unknown.append(what)
            return answer is True

        outcome.in_scope = config.applies_to_tree is None or holds(config.applies_to_tree, "applies_to")
        if outcome.in_scope:
            outcome.rule = next((r for r in config.rules if holds(r.tree, r.label)), None)
        entries = list(config.schedules.get(outcome.colour, [])) if outcome.rule else []
        entries += [m for m in config.minimums if m.tree is not None and holds(m.tree, m.label)]
        for entry in entries:
            need = outcome.needs.setdefault(entry.kind, Need(entry.kind, entry.every_months))
            need.every_months = min(need.every_months, entry.every_months)
            need.entries.append(entry)
    return outcomes
