"""The .xlsx save and the window in which another program's save could still be lost.

    uv run python benchmarks/bench_xlsx_save.py [--rows 80 2000 10000] [--repeat 20]

For N application rows: the time openpyxl takes to build the file (in memory), the whole
``XlsxBackend.commit`` (write the temporary file, fsync, swap, hash check, backup), and the
*window*: the time between the last check that nobody else saved and the moment our file is in
place. With the atomic swap (Linux renameat2 RENAME_EXCHANGE, macOS renamex_np RENAME_SWAP) the
check is made on the very file that was swapped out, so there is no window; only when a conflict
is found is there a short one, while theirs is swapped back (measured here). Without the swap
(Windows, or a file system without it) the window is from the end of the hash to os.replace
(measured here by calling that path directly). Before this change the check was a stat() before
openpyxl wrote the temporary file, so the window was the whole save (0.03 s at 80 rows, 0.3 s at
2,000, 2 s at 10,000 in the issue).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.schema import default_schemas
from automation.sheets import atomic_file
from automation.sheets.base import CellWrite
from automation.sheets.xlsx import XlsxBackend


def make(path: Path, rows: int) -> None:
    schema = default_schemas()["참여신청"]
    b = XlsxBackend(path, create=True)
    b.ensure_tabs(["참여신청"])
    b.remove_blank_default_tab()
    cells = [CellWrite(1, c, h) for c, h in enumerate(schema.headers, start=1)]
    for r in range(2, rows + 2):
        cells += [
            CellWrite(r, 3, f"기관{r}"),
            CellWrite(r, 10, f"010-{r % 10000:04d}-1234"),
            CellWrite(r, 11, f"user{r}@example.org"),
            CellWrite(r, 23, "정상"),
            CellWrite(r, 24, "희망시장1: '장현시장'을 남양주시 '장현전통시장'으로 읽었습니다."),
        ]
    b.write({"참여신청": cells})
    b.commit()


def measure(rows: int, repeat: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-save-"))
    path = folder / "master.xlsx"
    make(path, rows)
    build, commit, swap_back, fallback = [], [], [], []
    for i in range(repeat):
        b = XlsxBackend(path)
        b.write({"참여신청": [CellWrite(2, 24, f"run {i}")]})
        t0 = time.perf_counter()
        buffer = io.BytesIO()
        b.wb.save(buffer)
        build.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b.commit()
        commit.append(time.perf_counter() - t0)
        # a conflict: the swap, the check, and putting theirs back
        other = folder / "other.xlsx"
        other.write_bytes(path.read_bytes())
        t0 = time.perf_counter()
        atomic_file.exchange(other, path)
        atomic_file.exchange(other, path)
        swap_back.append((time.perf_counter() - t0) / 2)
        # the path without the swap: hash, then replace
        ours = folder / "ours.tmp"
        ours.write_bytes(path.read_bytes())
        report = atomic_file._hash_then_replace(path, ours, atomic_file.sha256_file(path), None)
        fallback.append(report.window)
    size = path.stat().st_size
    return {
        "rows": rows,
        "bytes": size,
        "build_s": statistics.median(build),
        "commit_s": statistics.median(commit),
        "swap_back_s": statistics.median(swap_back),
        "fallback_window_s": statistics.median(fallback),
        "fallback_window_max_s": max(fallback),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[80, 2000, 10000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(
        "rows    file KB  build (openpyxl)  commit (all)  window: swap  conflict swap-back  no-swap window (median/max)"
    )
    for rows in args.rows:
        m = measure(rows, args.repeat)
        print(
            f"{m['rows']:>6} {m['bytes'] / 1024:>9.0f}  {m['build_s']:>14.3f} s  {m['commit_s']:>10.3f} s"
            f"  {0:>10} s  {m['swap_back_s'] * 1e6:>14.0f} µs  {m['fallback_window_s'] * 1e6:>10.0f} / "
            f"{m['fallback_window_max_s'] * 1e6:.0f} µs"
        )


if __name__ == "__main__":
    main()
