"""``onemarket match [--round N] [--dry-run] [--json]`` and the 매칭 step of ``run``.

One row per applicant belongs to the job: the row whose 상태 is 제안 or 미배정. Each run rewrites
that row in place (same 매칭ID) to the current optimum — or to 미배정 with the reason — and
appends a row for an applicant that has none. Rows staff have taken over (확정, 협약체결, 거절,
종료) are never touched, nor is 담당자메모; every rewrite is a compare-and-set on 상태 and
시장코드, so a person who confirms a pair while the job runs wins.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.clock import now
from automation.config import PRIORITY_WORDS
from automation.domain.ids import IdAllocator
from automation.domain.status import SIGNED_ONCE, Status
from automation.match.inputs import Inputs, build_inputs
from automation.match.offers import Offer, changed_offers, read_offer, record_offer, staff_choices
from automation.match.rows import plan_rows
from automation.matching import Explanation, MatchResult, Objective, explain, solve
from automation.matching.model import PRIORITIES, UNITS_PER_POINT, Priority
from automation.report import Issue, StepReport
from automation.schema import TABS, SchemaSet
from automation.sheets import Workbooks
from automation.sheets.base import Backend
from automation.sheets.table import Table
from automation.sheets.writes import TabWrite, write_tables
from automation.state import WorkState, read_with_state

RANK_LABELS = {"first": "1지망", "second": "2지망", "city": "희망 시군", "near": "가까운 시장", "locked": "확정"}
#: explain() re-solves once per applicant that missed its 1st choice (measured on the 150 real
#: markets: 300 participants → 155 explained in 1.6 s; 1,000 → 679 in 17 s; solve alone 0.22 s at
#: 1,000 and 2.3 s at 10,000); above this many participants the counterfactual is left out of 추천사유
#: (the rank reason still says the 1st choice went to another organisation)
MAX_EXPLAINED_APPLICANTS = 1_000
JOB_WRITES = frozenset({"round", "application_id", "org_name", "market_code", "market_name", "status"})


@dataclass
class PreviewRow:
    app_id: str
    org: str
    market: str
    rank: str
    km: str
    score: str
    reason: str


@dataclass
class MatchOutcome:
    round: int
    result: MatchResult | None = None
    preview: list[PreviewRow] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    contested: list[tuple[str, int, int]] = field(default_factory=list)  # (market label, named 1st, capacity)
    written: int = 0
    appended: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)
    dry_run: bool = False
    locked_ids: set[str] = field(default_factory=set)
    #: 매칭ID → (시장코드, 시장명) the job leaves on its row this run (recorded in _작업상태)
    offers: dict[str, tuple[str, str]] = field(default_factory=dict)
    priority: Priority = "coverage"
    #: (matched, 1st, 2nd) of this priority and of the other one, so staff decide with the numbers
    compare: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        c = self.counts
        lines = [
            f"{self.round}차: 참여 {c['participants']}곳 — 1지망 {c['first']}, 2지망 {c['second']}, "
            f"희망 시군 {c['city']}, 가까운 시장 {c['near']}, 미배정 {c['unmatched']} (확정 유지 {c['locked']}, "
            f"매칭 제외 {c['left_out']}"
            + (f", 직원이 고른 시장 {c['staff']}" if c["staff"] else "")
            + (f", 희망시장수보다 적게 배정 {c['short']}곳" if c["short"] else "")
            + ")"
        ]
        if self.compare:
            lines.append(_compare_line(self.priority, self.compare))
        if self.contested:
            top = ", ".join(f"{label} {named}곳(수용 {cap})" for label, named, cap in self.contested[:5])
            lines.append(f"1지망이 몰린 시장: {top}")
        if not self.dry_run:
            lines.append(f"매칭 탭: 고친 행 {self.written}, 새 행 {self.appended}, 그대로 {self.unchanged}")
        return lines

    def step_report(self) -> StepReport:
        report = StepReport(TABS.matches, issues=list(self.issues))
        for key in ("first", "second", "city", "near", "unmatched", "locked"):
            report.counts[RANK_LABELS.get(key, "미배정")] = self.counts[key]
        report.message = "\n".join(self.summary_lines())
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "dry_run": self.dry_run,
            "counts": dict(self.counts),
            "contested": [{"market": m, "named_first": n, "capacity": c} for m, n, c in self.contested],
            "priority": self.priority,
            "compare": {p: {"matched": m, "first": f, "second": s} for p, (m, f, s) in self.compare.items()},
            "written": self.written,
            "appended": self.appended,
            "unchanged": self.unchanged,
            "preview": [p.__dict__ for p in self.preview],
            "issues": [i.as_dict() for i in self.issues],
        }


def _round(matches: Table, requested: int | None) -> int:
    """The round new suggestions belong to: a round closes when its agreements are signed
    (협약체결/종료), not when staff confirm a pair — so confirming never shifts the 차수 of the
    remaining suggestions. A round that 확정 rows already carry stays the current one."""
    if requested:
        return requested
    signed, confirmed = [0], [0]
    for r in matches.data_rows():
        text, status = r["round"].strip(), r["status"].strip()
        if not text.isdigit():
            continue
        if status in SIGNED_ONCE:
            signed.append(int(text))
        elif status == Status.CONFIRMED:
            confirmed.append(int(text))
    return max(max(signed) + 1, max(confirmed), 1)


def _compare_line(priority: Priority, compare: dict[str, tuple[int, int, int]]) -> str:
    """The chosen priority's matched / 1st / 2nd, and what the other setting would give."""
    other: Priority = "wishes" if priority == "coverage" else "coverage"

    def words(p: str) -> str:
        m, f, s = compare[p]
        return f"매칭 {m}, 1지망 {f}, 2지망 {s}"

    head = f"우선순위 {PRIORITY_WORDS[priority]}(확정 포함): {words(priority)}"
    if compare[other] == compare[priority]:
        return f"{head} ({PRIORITY_WORDS[other]}으로 바꿔도 같음)"
    return f'{head} · {PRIORITY_WORDS[other]}([matching] priority = "{other}")이면: {words(other)}'


def _contested(inputs: Inputs) -> list[tuple[str, int, int]]:
    named = Counter(inputs.first_named[a.id] for a in inputs.applicants if a.id in inputs.first_named)
    by_code = {m.code: m for m in inputs.markets}
    out = [
        (f"{by_code[c].name}({by_code[c].sigun or '-'})", n, by_code[c].capacity)
        for c, n in named.items()
        if n > by_code[c].capacity
    ]
    return sorted(out, key=lambda t: (-t[1], t[0]))


def _cost_words(cost: Objective) -> str:
    """What giving this organisation its 1st choice would cost the whole round, in staff's words
    (only what moves; the suggestion is optimal, so the round can only lose)."""
    parts = []
    for label, lost in (
        ("배정 기관", cost.matched),
        ("배정 시장 수", cost.places - cost.matched),
        ("1지망 배정", cost.first),
        ("2지망 배정", cost.second),
        ("희망 시·군 배정", cost.city),
    ):
        if lost:
            parts.append(f"{label} {abs(lost)}곳 {'줄어듦' if lost > 0 else '늘어남'}")
    points = cost.score_units / UNITS_PER_POINT
    if points or not parts:
        parts.append(f"거리·적합도 점수 {abs(points):.1f}점 {'낮아짐' if points >= 0 else '높아짐'}")
    return "1지망으로 옮기면 이번 차수 전체에서 " + ", ".join(parts)


def _counterfactual(e: Explanation) -> str:
    """Applicant-safe: who holds the 1st choice is not named, only what forcing it would cost."""
    parts = [e.applicant]
    if e.cost is not None:
        parts.append(_cost_words(e.cost))
    if e.rule:
        parts.append(e.rule)
    return " · ".join(parts)


def _job_values(
    round_: str, app_id: str, org: str, code: str, name: str, score: str, reason: str, status: str
) -> dict[str, str]:
    return {
        "round": round_,
        "application_id": app_id,
        "org_name": org,
        "market_code": code,
        "market_name": name,
        "score": score,
        "reason": reason,
        "status": status,
    }


def _missed(inputs: Inputs, result: MatchResult, priority: Priority) -> dict[str, str]:
    if len(inputs.applicants) > MAX_EXPLAINED_APPLICANTS:
        return {}
    return {
        e.app_id: _counterfactual(e)
        for e in explain(
            result,
            inputs.applicants,
            inputs.markets,
            locks=inputs.locks,
            exclusions=inputs.exclusions,
            neighbours=inputs.neighbours,
            priority=priority,
        )
    }


def short_reason(wants: int, given: int) -> str:
    missing = wants - given
    return (
        f"희망시장수 {wants}곳 중 {given}곳을 배정했습니다. 나머지 {missing}곳은 알맞은 시장에 자리가 남지 않아 "
        "배정하지 못했습니다 (여러 곳을 원하는 기관의 두 번째 시장부터는 다른 기관의 배정 뒤에 고르고, 같은 "
        "시장은 두 번 배정하지 않습니다). 시장의 수용기관수를 늘리면 다음 실행에서 더 배정합니다."
    )


def _desired(
    inputs: Inputs, result: MatchResult, round_: int, outcome: MatchOutcome
) -> dict[str, list[dict[str, str]]]:
    """The job rows each applicant should have now (by 신청ID): one per suggested market, and one
    미배정 row for an applicant that got nothing or fewer markets than its 희망시장수."""
    by_code = {m.code: m for m in inputs.markets}
    missed = _missed(inputs, result, outcome.priority)
    desired: dict[str, list[dict[str, str]]] = {}
    given: Counter[str] = Counter()
    for a in result.assignments:
        outcome.counts[a.rank] += 1
        given[a.app_id] += 1
        if a.rank == "locked":
            outcome.locked_ids.add(a.app_id)
            continue
        row, market = inputs.app_rows[a.app_id], by_code[a.market_code]
        extra = missed.get(a.app_id)
        reasons = [r for r in a.reasons if not (extra and extra.startswith(r))] + ([extra] if extra else [])
        org = row["org_name"].strip()
        desired.setdefault(a.app_id, []).append(
            _job_values(
                str(round_),
                a.app_id,
                org,
                market.code,
                market.name,
                f"{a.score:.1f}",
                " · ".join(reasons),
                Status.SUGGESTED,
            )
        )
        km = "" if a.km is None else f"{a.km:.1f}"
        outcome.preview.append(
            PreviewRow(a.app_id, org, market.name, RANK_LABELS[a.rank], km, f"{a.score:.1f}", " · ".join(reasons))
        )
    wants = {a.id: a.wants for a in inputs.applicants}
    unmatched = [(u.app_id, u.reason) for u in result.unmatched] + sorted(inputs.left_out.items())
    unmatched += [(app_id, short_reason(wants[app_id], given[app_id])) for app_id in sorted(result.short)]
    for app_id, reason in unmatched:
        if app_id not in result.short:
            outcome.counts["unmatched" if app_id not in inputs.left_out else "left_out"] += 1
        found = inputs.app_rows.get(app_id)
        org = found["org_name"].strip() if found else ""
        desired.setdefault(app_id, []).append(
            _job_values(str(round_), app_id, org, "", "", "", reason, Status.UNMATCHED)
        )
        outcome.preview.append(PreviewRow(app_id, org, "", "미배정", "", "", reason))
    outcome.counts["participants"] = len(inputs.applicants)
    outcome.counts["short"] = len(result.short)
    return desired


def match(
    books: Workbooks,
    schemas: SchemaSet,
    state_dir: Path,
    *,
    round_: int | None = None,
    dry_run: bool = False,
    priority: str = "coverage",
) -> MatchOutcome:
    master = books.master
    tables, state = read_with_state(
        master, schemas, [schemas.applications, schemas.markets, schemas.matches], dry_run=dry_run, legacy=state_dir
    )
    inputs = build_inputs(tables[TABS.applications], tables[TABS.markets], tables[TABS.matches])
    wants = {a.id: a.wants for a in inputs.applicants}
    choices = staff_choices(tables[TABS.matches], state, inputs.market_rows, inputs.locks, wants)
    inputs.locks += choices.locks
    pinned = {lock.app_id for lock in choices.locks}
    inputs.applicants = [a for a in inputs.applicants if a.id not in choices.held_apps]
    chosen: Priority = "wishes" if priority == "wishes" else "coverage"
    outcome = MatchOutcome(_round(tables[TABS.matches], round_), dry_run=dry_run, priority=chosen)
    outcome.issues.extend(choices.issues)
    results = {
        p: solve(
            inputs.applicants,
            inputs.markets,
            locks=inputs.locks,
            exclusions=inputs.exclusions,
            neighbours=inputs.neighbours,
            priority=p,
        )
        for p in PRIORITIES
    }
    result = results[chosen]
    outcome.compare = {p: (r.objective.matched, r.objective.first, r.objective.second) for p, r in results.items()}
    outcome.result = result
    outcome.contested = _contested(inputs)
    desired = _desired(inputs, result, outcome.round, outcome)
    outcome.counts["staff"] = len(pinned)
    outcome.counts["locked"] -= len(pinned & outcome.locked_ids)
    ids = IdAllocator(state, now().year)
    for r in tables[TABS.matches].rows:
        ids.observe(r["match_id"])
    plan = plan_rows(tables[TABS.matches], desired, ids, now().strftime("%Y-%m-%d %H:%M"), choices, outcome.locked_ids)
    updates, appends = plan.updates, plan.appends
    outcome.unchanged, outcome.offers = plan.unchanged, plan.offers
    moved = changed_offers(tables[TABS.matches], state, outcome.offers)
    if dry_run:
        outcome.issues.extend(moved)
        return outcome
    # one guarded write: rewritten rows and new rows land together or not at all (Google: one batch);
    # every staff-owned cell rewritten (차수, 신청ID, 기관명, 시장코드, 시장명, 상태) is compare-and-set
    ids.save()
    before = {mid: read_offer(state, mid) for mid in outcome.offers}
    for mid, (code, name) in outcome.offers.items():
        record_offer(state, mid, code, name)
    marks = state.tab_write()
    written = write_tables(
        master,
        [
            TabWrite(schemas.matches, updates, appends, allow=JOB_WRITES, base=tables[TABS.matches]),
            *([marks] if marks else []),
        ],
    )
    state.written()
    refused = _forget_refused(master, state, before, written.issues)
    outcome.issues.extend(i for i in moved if i.value not in refused)  # only changes that landed
    outcome.issues.extend(written.issues)
    outcome.issues.extend(state.notes)
    outcome.written = written.written_rows
    outcome.appended = written.appended - (len(marks.appends) if marks else 0)
    return outcome


def _forget_refused(
    master: Backend, state: WorkState, before: dict[str, Offer | None], issues: list[Issue]
) -> set[str]:
    """A rewrite refused (a person changed the row meanwhile) did not happen: its row keeps what it
    had, so the record goes back to the job's earlier suggestion (one more small write, rarely)."""
    refused = {i.value for i in issues if i.value in before}
    if not refused:
        return refused
    for mid in refused:
        old = before[mid]
        record_offer(state, mid, old.code if old else "", old.name if old else "")
    marks = state.tab_write()
    if marks is not None:
        write_tables(master, [marks])
        state.written()
    return refused
