"""Seconds for the dashboard, the managers' report and the 카드뉴스 series at programme scale (default 300 teams).

    uv run python benchmarks/bench_dashboard.py [--teams 300]

Setup (not timed): in-memory workbooks with 2 × teams applications, 150 made-up markets in ten
시군, one 확정 pair per team plus a second market for every tenth team, 3 협력과제 and 5 outcome rows per team over twelve months.
Timed: ``summary`` (read, compute, rebuild the eight tabs with the map), then ``report`` for one
month (.docx, and the PDF when LibreOffice is installed), then ``cards`` (the PNG series, every tenth
team's first outcome row marked 우수사례추천 Y and 홍보동의 Y), each the median of three runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.config import load_config
from automation.sheets import Workbooks
from automation.sheets.memory import MemoryBackend
from automation.summary.cards import cards
from automation.summary.report import report
from automation.summary.step import summary
from tests.validation_helpers import SCHEMAS, app, rows_for

SIGUN = ["수원시", "성남시", "부천시", "안양시", "가평군", "파주시", "평택시", "화성시", "고양시", "용인시"]
AT = dt.datetime(2026, 12, 1, 9, 0)


def books(teams: int) -> dict[str, MemoryBackend]:
    markets = [{"market_code": f"M{j:07d}", "market_name": f"시장{j}", "sigun": SIGUN[j % 10]} for j in range(150)]
    apps = [app(application_id=f"A{i}", org_name=f"기관{i}", onnuri_thousand_won="500") for i in range(2 * teams)]
    matches, team_rows, tasks, outcomes = [], [], [], []
    for t in range(teams):
        tid = f"T-{t:04d}"
        team_rows.append({"team_id": tid, "round": "1", "ceremony": str(1 + t % 3), "status": "협약체결"})
        codes = [f"M{t % 150:07d}"] + ([f"M{(t + 7) % 150:07d}"] if t % 10 == 0 else [])
        for k, code in enumerate(codes):
            matches.append(
                {
                    "match_id": f"M-{t}-{k}",
                    "round": "1",
                    "application_id": f"A{t}",
                    "market_code": code,
                    "status": "협약체결",
                    "team_id": tid,
                }
            )
        for k in range(3):
            tasks.append(
                {"task_id": f"P-{t}-{k}", "team_id": tid, "title": "과제", "field": "물품구매", "status": "진행"}
            )
        for k in range(5):
            day = dt.date(2026, 1 + (t + k) % 12, 1 + k)
            outcomes.append(
                {
                    "match_id": f"M-{t}-0",
                    "team_id": tid,
                    "market_name": "시장",
                    "activity_date": day.isoformat(),
                    "activity_type": "물품구매",
                    "participants": "10",
                    "purchase_won": "100000",
                    "onnuri_won": "50000",
                    "validation_result": "정상",
                    **({"best_practice": "Y", "publish": "Y", "content": "임직원 장보기"} if t % 10 == k == 0 else {}),
                }
            )
    master = MemoryBackend(
        {
            "참여신청": rows_for("참여신청", apps),
            "시장": rows_for("시장", markets),
            "매칭": rows_for("매칭", matches),
            "협약": rows_for("협약", team_rows),
            "협력과제": rows_for("협력과제", tasks),
            "협약식": rows_for("협약식", []),
            "작업기록": rows_for("작업기록", []),
        }
    )
    return {
        "master": master,
        "outcomes": MemoryBackend({"성과보고": rows_for("성과보고", outcomes)}),
        "dashboard": MemoryBackend({}),
    }


def median_seconds(fn, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=300)
    args = parser.parse_args()
    backends = books(args.teams)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "onemarket.toml"
        path.write_text('[workbook]\nbackend = "xlsx"\n', encoding="utf-8")
        config = load_config(path)
        dash = median_seconds(lambda: summary(Workbooks.of(backends), SCHEMAS, today=AT))
        out = report(Workbooks.of(backends), SCHEMAS, config, month="2026-06", today=AT)
        doc = median_seconds(lambda: report(Workbooks.of(backends), SCHEMAS, config, month="2026-06", today=AT))
        made = cards(Workbooks.of(backends), SCHEMAS, config, today=AT)
        card = median_seconds(lambda: cards(Workbooks.of(backends), SCHEMAS, config, today=AT))
        kinds = ", ".join(p.suffix for p in out.files)
        print(
            f"teams {args.teams}: summary {dash:.2f} s (8 tabs + map), report {doc:.2f} s ({kinds}), "
            f"cards {card:.2f} s ({len(made.files)} PNG, {made.cases} 우수사례)"
        )


if __name__ == "__main__":
    main()
