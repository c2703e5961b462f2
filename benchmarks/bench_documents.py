"""Agreements: seconds and documents per second for .docx rendering and LibreOffice PDF conversion.

N synthetic confirmed pairs (default 200) are rendered from templates/agreement.docx, then converted
to PDF with different numbers of files per soffice process. One file per process is measured on a
subset (``--single`` files, default 20) because it costs a LibreOffice start per file; its rate is
what matters. ``NxW`` runs W processes side by side (convert_to_pdf's ``workers``; the machine's CPU
count is printed). Everything runs in a temporary folder.

Run: ``uv run python benchmarks/bench_documents.py`` (``--pairs 200 --batches 1,20,200,40x2,100x2 --single 20``).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from automation.documents.docx import default_template, render_docx
from automation.documents.names import document_stem, path_inside
from automation.documents.pdf import convert_to_pdf, find_soffice

ORG_KINDS = ("주식회사", "㈜", "재단법인", "사단법인", "협동조합", "")
ORG_WORDS = ("한빛", "새솔", "푸른", "다온", "나래", "가람", "누리", "미르", "온새미로", "라온")
SECTORS = ("테크", "건설", "식품", "물산", "바이오", "에너지", "디자인", "정밀", "유통", "의료재단")
MARKETS = (
    "못골시장",
    "지동시장",
    "남문시장",
    "영동시장",
    "안양중앙시장",
    "모란민속시장",
    "성남중앙시장",
    "부천자유시장",
    "의정부제일시장",
    "광명전통시장",
    "구리전통시장",
    "평택통복시장",
)
SIGUN = ("수원시", "안양시", "성남시", "부천시", "의정부시", "광명시", "구리시", "평택시")
ORG_PROGRAMS = (
    "전통시장 가는 날: 임직원이 매월 둘째 주 금요일에 시장을 방문해 장보기와 식사를 합니다.",
    "온누리상품권 구매: 연 {n:,}천원({m}만 원) 규모로 구매해 직원 복지에 씁니다.",
    "물품 구매: 행사·회의용 다과와 명절 선물을 시장 점포에서 삽니다.",
    "특화 협력: 시장 상인 대상 디지털 결제·온라인 판매 교육을 엽니다.",
    "봉사 활동: 시장 환경 정비와 고객 편의시설 개선에 임직원이 참여합니다.",
    "홍보: 사내 소식지와 누리집에 시장 소식과 행사를 싣습니다.",
)
MARKET_PROGRAMS = (
    "기관 임직원 방문 시 할인·편의를 제공합니다.",
    "시장 행사와 축제에 기관을 초대합니다.",
    "기관 행사에 필요한 물품을 우선 공급합니다.",
    "협력 활동의 사진과 내용을 성과보고 시트에 기록합니다.",
    "기관 이름을 시장 안내판과 누리집에 알립니다.",
)


def contexts(count: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    for n in range(1, count + 1):
        market, sigun, thousand = rng.choice(MARKETS), rng.choice(SIGUN), rng.randrange(500, 5000, 100)
        programs = [p.format(n=thousand, m=thousand // 10) for p in rng.sample(ORG_PROGRAMS, rng.randint(1, 6))]
        out.append(
            {
                "match_id": f"M-2026-{n:04d}",
                "round": rng.choice(["1", "2", ""]),
                "title": "전통시장 활성화를 위한 업무협약서",
                "org_name": f"{rng.choice(ORG_KINDS)} {rng.choice(ORG_WORDS)}{rng.choice(SECTORS)}".strip(),
                "org_rep": rng.choice(["김", "이", "박", "최", "정"])
                + rng.choice(["한빛", "서연", "민준", "지우", ""]),
                "org_address": f"경기도 {sigun} {rng.choice(['중앙로', '광교로', '시민로'])} {rng.randint(1, 400)}",
                "org_type": rng.choice(["중소기업", "대기업", "공공기관", "협회·단체"]),
                "market_name": market,
                "market_association": f"{market} 상인회",
                "market_sigun": sigun,
                "market_address": f"경기도 {sigun} {rng.choice(['시장로', '정조로'])} {rng.randint(1, 900)}",
                "org_programs": programs,
                "market_programs": rng.sample(MARKET_PROGRAMS, rng.randint(1, 5)),
                "period": "협약 체결일부터 12개월 (어느 쪽도 종료를 알리지 않으면 같은 기간으로 연장)",
                "facilitator": "경기지방중소벤처기업청",
                "signed_date": "20    년    월    일",
            }
        )
    return out


def render_all(items: list[dict[str, object]], folder: Path) -> tuple[list[Path], float]:
    template, paths = default_template(), []
    started = time.perf_counter()
    for context in items:
        stem = document_stem(str(context["match_id"]), str(context["org_name"]), str(context["market_name"]))
        path = path_inside(folder, stem + ".docx")
        render_docx(template, context, path)
        paths.append(path)
    return paths, time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument(
        "--batches",
        default="1,20,200,40x2,100x2",
        help="files per soffice process, comma-separated; 'NxW' runs W processes at once",
    )
    parser.add_argument("--single", type=int, default=20, help="files converted when the batch size is 1")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
        folder = Path(tmp) / "docx"
        folder.mkdir()
        paths, seconds = render_all(contexts(args.pairs), folder)
        size = sum(p.stat().st_size for p in paths) / len(paths) / 1024
        print(
            f"docx render: {len(paths)} documents in {seconds:.2f} s = {len(paths) / seconds:.1f} docs/s "
            f"({1000 * seconds / len(paths):.1f} ms each, {size:.0f} KB each)"
        )
        soffice = find_soffice()
        print(f"LibreOffice: {soffice}, {os.cpu_count()} CPUs")
        if soffice is None:
            print("PDF: skipped, LibreOffice (soffice) not found")
            return 0
        for batch, workers in runs(args.batches):
            files = paths[: args.single] if batch == 1 else paths
            started = time.perf_counter()
            result = convert_to_pdf(files, Path(tmp) / f"pdf-{batch}-{workers}", soffice, batch=batch, workers=workers)
            seconds = time.perf_counter() - started
            made = sum(1 for pdf in result.values() if pdf is not None)
            processes = -(-len(files) // batch)
            print(
                f"PDF batch={batch:>3} workers={workers}: {made}/{len(files)} PDFs, {processes} soffice processes, "
                f"{seconds:.1f} s = {made / seconds:.2f} docs/s ({seconds / len(files):.2f} s per document)"
            )
    return 0


def runs(spec: str) -> list[tuple[int, int]]:
    """'1,20,200,40x2' → [(1, 1), (20, 1), (200, 1), (40, 2)]: files per process × processes at once."""
    out = []
    for item in spec.split(","):
        batch, _, workers = item.partition("x")
        out.append((int(batch), int(workers or 1)))
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
