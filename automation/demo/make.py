"""``onemarket demo [DIR]``: a complete offline demo on local .xlsx files.

Creates DIR/onemarket.toml and the three .xlsx files, fills 시장 and 참여신청 with sample data the
project generates (:mod:`automation.demo.data`), then runs ``onemarket run``. The first time it
then plays the member of staff who confirms five suggested pairs (상태 제안 → 확정), groups two of
them into one team (the same 협약ID) and runs again,
so agreements are rendered and the notices land in outbox/ as .eml files, plans the first ceremony
and builds its signing pack (``ceremony --round 1``); it also types four
outcomes reported by phone into 성과보고 (one 우수사례 with 홍보동의 Y) so the dashboard has something to
show, and makes what a manager makes last: ``report``, ``press --round 1`` and ``cards``. Running it again keeps
what is there (staff edits included) and only runs again — nothing is mailed twice.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.clock import now
from automation.config import DEFAULT_CONFIG_NAME, Config, load_config
from automation.demo.data import sample_applications, sample_markets
from automation.documents.forms import write_forms
from automation.domain.form_layout import form_sections
from automation.domain.status import LOCKED, Status
from automation.locking import job_lock
from automation.pipeline.runner import STEP_BY_NAME, RunResult, run
from automation.schema import TABS, default_schemas
from automation.setup import jobs
from automation.sheets import open_backend, transaction
from automation.sheets.table import read_tables
from automation.sheets.writes import RowUpdate, append_rows, write_rows

DEMO_CONFIG = """\
# onemarket 예시 설정 — `onemarket demo`가 만들었습니다.
# 상대 경로는 이 파일이 있는 폴더 기준입니다. 비밀값(비밀번호·키)은 여기에 적지 마세요.

[workbook]
backend = "xlsx"                 # 구글 시트로 바꾸려면 "google" (README 참고)
master = "data/master.xlsx"      # 직원용: 참여신청, 시장, 매칭, 작업기록
outcomes = "data/outcomes.xlsx"  # 시장용: 성과보고
dashboard = "data/dashboard.xlsx"  # 관리자용: 요약 탭

[mail]
transport = "outbox"             # 오프라인: 보낼 메일을 outbox/ 폴더에 .eml 파일로 저장
outbox = "outbox"
sender = "onemarket@example.go.kr"
cc = []

cafile = ""                      # 사내 메일 서버가 자체 인증서를 쓰면 그 CA 파일 경로

[documents]
output = "agreements"            # 협약서(.docx, PDF)가 만들어지는 폴더
pdf = "auto"                     # LibreOffice가 있으면 PDF도 만듭니다 ("always", "never")
"""
CONFIRM_IN_DEMO = 5


@dataclass
class DemoOutcome:
    folder: Path
    config_path: Path
    markets_added: int
    applications_added: int
    run: RunResult
    files: dict[str, str] = field(default_factory=dict)
    first_run: RunResult | None = None
    confirmed: list[str] = field(default_factory=list)
    ceremony: RunResult | None = None
    promotion: RunResult | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "config": str(self.config_path),
            "files": self.files,
            "markets_added": self.markets_added,
            "applications_added": self.applications_added,
            "first_run": self.first_run.as_dict() if self.first_run else None,
            "confirmed": self.confirmed,
            "run": self.run.as_dict(),
            "ceremony": self.ceremony.as_dict() if self.ceremony else None,
            "promotion": self.promotion.as_dict() if self.promotion else None,
        }

    def text(self) -> str:
        lines = [f"예시 폴더: {self.folder}"]
        lines.append(f"  설정: {self.config_path.name}")
        for role, path in self.files.items():
            lines.append(f"  {role:9s} {Path(path).relative_to(self.folder)}")
        if self.markets_added or self.applications_added:
            lines.append(
                f"  예시 데이터: 시장 {self.markets_added}곳, 참여신청 {self.applications_added}건을 넣었습니다."
            )
        else:
            lines.append("  예시 데이터가 이미 있어 그대로 두었습니다 (직원이 고친 내용 포함).")
        if self.first_run is not None:
            lines.extend(_run_lines(self.first_run))
            lines.append(
                f"직원이 제안 {len(self.confirmed)}건({', '.join(self.confirmed)})을 '확정'으로 바꾸고 앞의 2건에 "
                f"같은 협약ID({DEMO_TEAM})를 적어 한 협약으로 묶었다고 보고 다시 실행합니다."
            )
        lines.extend(_run_lines(self.run))
        if self.run.log_error:
            lines.append(f"  경고: {self.run.log_error}")
        if self.ceremony is not None:
            lines.append(
                "협약식 탭에 1차 협약식(일시·장소)을 적었다고 보고 협약식 자료를 만듭니다 (ceremony --round 1):"
            )
            lines.extend(line for r in self.ceremony.reports for line in ("  " + x for x in r.message.splitlines()))
        if self.promotion is not None:
            lines.append(
                "직원이 우수사례 1건에 홍보동의 Y를 적었다고 보고 보고서·보도자료·카드뉴스를 만듭니다 "
                "(report, press --round 1, cards):"
            )
            lines.extend(f"  [{r.result}] {r.step}: {r.message.splitlines()[0]}" for r in self.promotion.reports)
        lines.append("다음으로:")
        lines.append(
            f"  - {Path(self.files['master']).relative_to(self.folder)} 파일을 엑셀이나 리브레오피스에서 열어 보세요."
        )
        lines.append(
            "  - '참여신청' 탭의 검증결과·검증메시지 열에 일부러 넣은 잘못된 행이 표시됩니다. 고친 뒤 다시 실행하세요."
        )
        lines.append("  - 협약서는 agreements/ 폴더에, 보낼 안내 메일은 outbox/ 폴더에 .eml 파일로 있습니다.")
        lines.append(
            "  - '협약' 탭에 협약(팀)과 구성·점검이, '협력과제' 탭에 과제가 있습니다. 매칭 탭의 협약ID를 같게 적으면 "
            "짝들이 한 협약으로 묶입니다. 협약식 자료는 agreements/협약식/1차/에 있습니다."
        )
        lines.append(
            "  - 관리자 보고는 agreements/보고/, 보도자료 초안은 agreements/보도자료/, 카드뉴스는 agreements/카드뉴스/에 있습니다."
        )
        lines.append(
            f"  - 빈 참여 신청서(한글 .hwpx, Word .docx)는 {FORMS_FOLDER}/에 있습니다. 채워 받은 신청서는 "
            "'onemarket import-forms 폴더'로 참여신청 탭에 새 행이 됩니다."
        )
        prefix = "uv run " if os.environ.get("UV") else ""
        lines.append(f"  - 다시 실행: {prefix}onemarket --config {self.config_path} run")
        return "\n".join(lines)


#: the 협약ID the demo's member of staff gives two confirmed pairs (a 2사-2시장 team)
DEMO_TEAM = "공동협약-1"


def _run_lines(result: RunResult) -> list[str]:
    lines = [f"실행 {result.run_id}:"]
    for report in result.reports:
        lines.append(f"  [{report.result}] {report.step}")
        lines.extend(f"      {line}" for line in report.message.splitlines())
    return lines


def _confirm_some(config: Config, n: int) -> list[str]:
    """Play the member of staff: the first ``n`` suggestions (상태 제안) become 확정."""
    schemas = default_schemas()
    backend = open_backend(config, "master")
    matches = read_tables(backend, [schemas.matches])[TABS.matches]
    if any(r["status"].strip() in LOCKED for r in matches.data_rows()):
        return []
    chosen = [r["match_id"].strip() for r in matches.data_rows() if r["status"].strip() == Status.SUGGESTED][:n]
    # and groups the first two into one team (two organisations, two markets, one agreement)
    team = {m: {"team_id": DEMO_TEAM} for m in chosen[:2]}
    with transaction(backend):
        write_rows(
            backend,
            schemas.matches,
            [
                RowUpdate({"status": Status.CONFIRMED, **team.get(m, {})}, id=m, expect={"status": Status.SUGGESTED})
                for m in chosen
            ],
            allow=frozenset({"status", "team_id"}),
        )
    return chosen


def _plan_ceremony(config: Config) -> None:
    """Play the member of staff who plans the first signing ceremony (협약식 tab: 차수, 일시, 장소)."""
    schemas = default_schemas()
    backend = open_backend(config, "master")
    if read_tables(backend, [schemas.ceremonies])[schemas.ceremonies.name].data_rows():
        return
    when = (now() + dt.timedelta(days=14)).strftime("%Y-%m-%d 14:00")
    with transaction(backend):
        append_rows(
            backend, schemas.ceremonies, [{"round": "1", "held_at": when, "place": "수원 영동시장 2층 대회의실"}]
        )


def _sample_outcomes(config: Config, match_ids: list[str]) -> None:
    """Play the member of staff who types outcomes reported by phone into 성과보고 (for the dashboard)."""
    schemas = default_schemas()
    backend = open_backend(config, "outcomes")
    matches = {
        r["match_id"].strip(): r
        for r in read_tables(open_backend(config, "master"), [schemas.matches])[TABS.matches].data_rows()
    }
    today = now().date()
    plan = [
        (0, 40, "전통시장가는날", "임직원 장보기와 점심", "32", "960000", "0", "Y"),  # and 홍보동의 Y
        (0, 12, "온누리상품권구매", "명절 선물용 온누리상품권 구매", "", "0", "3000000", "N"),
        (1, 25, "물품구매", "행사 물품 구매", "", "1250000", "0", "N"),
        (2, 5, "SNS홍보", "시장 소개 카드뉴스 게시", "", "0", "0", "Y"),
    ]
    rows = []
    for index, days_ago, kind, content, people, purchase, onnuri, best in plan:
        match = matches[match_ids[index % len(match_ids)]]
        rows.append(
            {
                "match_id": match["match_id"].strip(),
                "market_name": match["market_name"].strip(),
                "org_name": match["org_name"].strip(),
                "activity_date": (today - dt.timedelta(days=days_ago)).isoformat(),
                "activity_type": kind,
                "content": content,
                "participants": people,
                "purchase_won": purchase,
                "onnuri_won": onnuri,
                "best_practice": best,
                "publish": "Y" if index == 0 and best == "Y" else "",
            }
        )
    with transaction(backend):
        append_rows(backend, schemas.outcomes, rows)


def make_demo(folder: Path, seed: int = 2024) -> DemoOutcome:
    folder = folder.expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / DEFAULT_CONFIG_NAME
    if not config_path.exists():
        config_path.write_text(DEMO_CONFIG, encoding="utf-8")
    config = load_config(config_path)
    with job_lock(config, "demo"):
        return _demo(folder, config_path, config, seed)


#: what the demo makes last, as a manager would: the month's report, the round's press draft, card news
PROMOTION_STEPS = ("report", "press", "cards")

#: where the demo puts the blank 참여 신청서 (what `onemarket form` writes)
FORMS_FOLDER = "신청서양식"


def _demo(folder: Path, config_path: Path, config: Config, seed: int) -> DemoOutcome:
    jobs.init(config)
    schemas = default_schemas()
    write_forms(form_sections(schemas.applications), folder / FORMS_FOLDER)
    backend = open_backend(config, "master")
    tables = read_tables(backend, [schemas.markets, schemas.applications])
    markets = applications = 0
    with transaction(backend):
        if not tables[TABS.markets].data_rows():
            rows = sample_markets()
            append_rows(backend, schemas.markets, rows)
            markets = len(rows)
        if not tables[TABS.applications].data_rows():
            rows = sample_applications(seed)
            append_rows(backend, schemas.applications, rows)
            applications = len(rows)
    result = run(config)
    confirmed = _confirm_some(config, CONFIRM_IN_DEMO) if not result.failed else []
    if confirmed:
        _sample_outcomes(config, confirmed)
        _plan_ceremony(config)
    if not confirmed:
        return DemoOutcome(folder, config_path, markets, applications, result, dict(config.workbooks))
    second = run(config)
    pack = run(config, steps=[STEP_BY_NAME["ceremony"]], options={"round": 1}) if not second.failed else None
    promotion = None
    if not second.failed:
        promotion = run(config, steps=[STEP_BY_NAME[s] for s in PROMOTION_STEPS], options={"round": 1})
    return DemoOutcome(
        folder,
        config_path,
        markets,
        applications,
        second,
        dict(config.workbooks),
        first_run=result,
        confirmed=confirmed,
        ceremony=pack,
        promotion=promotion,
    )
