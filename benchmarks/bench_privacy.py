"""The personal-data detector's cost: seconds per 1,000 cells of free text, by how many names it knows.

    uv run python benchmarks/bench_privacy.py [--cells 10000]

Cells are 80-character Korean sentences; one in five holds a phone, an e-mail or a name the detector
knows. Names are synthetic three-syllable Korean names (the workbook's 대표자/담당자명/상인회담당자).

Measured on 2026-12-02, 2 cores, Python 3.11.7, 10,000 cells:
      names  build s  s / 1,000 cells
          0    0.000            0.038
        100    0.004            0.037
      2,000    0.050            0.041
     20,000    0.283            0.043
With 20,000 random names drawn from 40 syllables every cell was masked somewhere: a name such as
'시장장' matches '시장 장보기' because a space may sit between any two letters of a name. Real
names collide far less, but that is the cost of catching '김 철수'; see automation/privacy.py.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.privacy import Detector

SYLLABLES = "김이박최정강조윤장임한오서신권황안송류홍민준서연지우하은도현수빈예린시우주원"


def names(n: int, rng: random.Random) -> list[str]:
    return ["".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(n)]


def cells(n: int, known: list[str], rng: random.Random) -> list[str]:
    base = "임직원 봉사활동과 전통시장 장보기, 명절 선물 구매를 함께 진행하며 SNS 홍보를 돕습니다. 연 1,200,000원"
    extras = ["연락 010-1234-5678", "kim@example.com", *(known[:3] or ["홍길동"])]
    return [base + (" " + rng.choice(extras) if i % 5 == 0 else "") for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(7)
    print(f"{'names':>7} {'build s':>8} {'s / 1,000 cells':>16} {'masked':>7}")
    for n in (0, 100, 2_000, 20_000):
        known = names(n, rng)
        t0 = time.perf_counter()
        detector = Detector(known)
        built = time.perf_counter() - t0
        texts = cells(args.cells, known, rng)
        t0 = time.perf_counter()
        masked = sum(1 for t in texts if detector.find(t))
        per = (time.perf_counter() - t0) / args.cells * 1000
        print(f"{n:>7} {built:>8.3f} {per:>16.3f} {masked:>7}")


if __name__ == "__main__":
    main()
