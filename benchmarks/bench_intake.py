"""Filled 신청서 per second: 500 forms (docx, hwpx, hwp in turn) read and imported into an .xlsx master.

    uv run python benchmarks/bench_intake.py [--forms 500]

Setup (not timed): the blank forms from ``onemarket form``, each filled with a different
organisation the way tests/form_fill.py fills them, written to a folder; a fresh master workbook.
Timed: reading alone (file → cells → fields, per format), then one ``import-forms`` of the folder
(read + one append of every row + the 작업기록 write), then the same import again (every file
skipped by its hash).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the package and tests/form_fill.py

from automation.config import load_config
from automation.documents.forms import docx_bytes, hwpx_bytes
from automation.domain.form_layout import form_lines, form_sections
from automation.intake.fields import find_fields
from automation.intake.grid import read_form
from automation.pipeline.runner import STEP_BY_NAME, run
from automation.schema import default_schemas
from automation.setup import jobs
from tests.form_fill import fill_docx, fill_hwpx, to_hwp
from tests.test_intake_forms import FILLED


def make(folder: Path, n: int) -> list[Path]:
    sections = form_sections(default_schemas().applications)
    blank = {"docx": docx_bytes(sections), "hwpx": hwpx_bytes(sections)}
    paths = []
    for i in range(n):
        values = {**FILLED, "기관(기업)명": f"벤치기관{i:04d}", "사업자등록번호": "", "이메일": f"b{i}@example.com"}
        kind = ("docx", "hwpx", "hwp")[i % 3]
        data = fill_docx(blank["docx"], values) if kind == "docx" else fill_hwpx(blank["hwpx"], values)
        if kind == "hwp":
            data = to_hwp(data)
        path = folder / f"form{i:04d}.{kind}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--forms", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inbox = root / "inbox"
        inbox.mkdir()
        paths = make(inbox, args.forms)
        schema = default_schemas().applications
        lines, titles = form_lines(schema), [s.title for s in form_sections(schema)]
        per: dict[str, list[float]] = defaultdict(list)
        for path in paths:
            data = path.read_bytes()
            t0 = time.perf_counter()
            got = read_form(data)
            find_fields(got.cells, lines, titles)
            per[path.suffix[1:]].append(time.perf_counter() - t0)
        print(f"## {args.forms} filled forms\n")
        print("| format | files | ms per file (read + fields) | files per second |")
        print("|---|---|---|---|")
        for kind, times in sorted(per.items()):
            print(f"| {kind} | {len(times)} | {1000 * sum(times) / len(times):.1f} | {len(times) / sum(times):.0f} |")
        (root / "onemarket.toml").write_text('[workbook]\nbackend = "xlsx"\n', encoding="utf-8")
        config = load_config(root / "onemarket.toml")
        jobs.init(config)
        step = [STEP_BY_NAME["import-forms"]]
        for label in ("import (all new)", "again (all skipped)"):
            t0 = time.perf_counter()
            result = run(config, steps=step, options={"paths": [inbox], "move": False})
            seconds = time.perf_counter() - t0
            outcome = result.details["import-forms"]
            print(
                f"\n- {label}: {seconds:.2f} s, {args.forms / seconds:.0f} forms/s — imported "
                f"{outcome.count('imported')}, skipped {outcome.count('skipped')}, refused {outcome.count('refused')}"
            )


if __name__ == "__main__":
    main()
