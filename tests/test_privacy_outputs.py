"""Personal data goes only where it must. Hostile values people really type are seeded into every
free-text column; a whole `onemarket run` (real SMTP: aiosmtpd on 127.0.0.1; agreements as .docx and,
with LibreOffice, PDF) then produces the dashboard, the outcomes file's market tabs, the notices and
the agreements, and --json output and logs. Every cell of those workbooks, every page of the market's
documents and every mail to a market of a pair without 제3자제공동의 is scanned with the detector; so
are --json and the logs. On .xlsx and on Google (gspread's real client against the loopback
Sheets-API test server, the stand-in for Google, which is unreachable here)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import docx
import openpyxl
import pytest

from automation.config import Config, load_config
from automation.privacy import Detector
from automation.setup import jobs
from automation.sheets import open_backend, transaction
from automation.sheets.writes import append_rows
from tests.google_fixtures import KEYS
from tests.pair_helpers import APP, MARKET, MATCH
from tests.step_helpers import smtp_section
from tests.validation_helpers import SCHEMAS

PEOPLE = ["홍길동", "이영희", "최담당", "김대표", "박대표", "정대표"]
HOSTILE_CONTACT = "담당 홍길동 과장 010–9876–5432, gildong@기관.한국"
HOSTILE_NUMBERS = "사업자 116–82–00276 / 주민 900101_1234567 / 휴대폰 010−1111−2222"
FORMULAS = ["+cmd|' /C calc'!A0", "-2+3", '=HYPERLINK("http://evil.example")', "@SUM(A1)", "＝1+1"]
FORMULA_MARKS = ["cmd|", "2+3", "HYPERLINK", "@SUM", "＝1+1", "=1+1"]
SENDER, CC = "onemarket@gg.example.go.kr", "staff@gg.example.go.kr"

APPS = [
    {
        **APP,
        "application_id": "A-2026-0001",
        "org_name": "주식회사 한빛테크",
        "representative": "김대표",
        "contact_name": "홍길동",
        "third_party_consent": "N",
        "products": FORMULAS[0],
        "special_program": HOSTILE_CONTACT,
        "other_cooperation": HOSTILE_NUMBERS,
    },
    {
        **APP,
        "application_id": "A-2026-0002",
        "org_name": "경기상회",
        "representative": "박대표",
        "contact_name": "이영희",
        "email": "lee2@gyeonggi.example.com",
        "phone": "010-3333-4444",
        "brn": "",
        "third_party_consent": "N",
        "products": FORMULAS[3],
        "special_program": FORMULAS[1] + " 이영희 010 3333 4444",
        "other_cooperation": FORMULAS[2],
    },
    {
        **APP,
        "application_id": "A-2026-0003",
        "org_name": "제51사단",
        "representative": "정대표",
        "contact_name": "최담당",
        "email": "choi@army.example.kr",
        "phone": "010-5555-6666",
        "brn": "",
        "third_party_consent": "Y",
        "special_program": FORMULAS[4],
        "other_cooperation": "- 월 1회 장보기",
    },
]
MARKETS = [
    {
        **MARKET,
        "market_code": f"MK{i}",
        "market_name": name,
        "association_email": f"mk{i}@market.example.org",
        "items": FORMULAS[i % len(FORMULAS)],
        "culture_space": FORMULAS[(i + 1) % len(FORMULAS)],
    }
    for i, name in enumerate(["못골시장", "지동시장", "모란시장"], start=1)
]
MATCHES = [
    {
        **MATCH,
        "match_id": f"M-2026-000{i}",
        "application_id": f"A-2026-000{i}",
        "org_name": a["org_name"] + (" (담당 010-7777-8888)" if i == 1 else ""),
        "market_code": f"MK{i}",
        "market_name": MARKETS[i - 1]["market_name"],
        "status": "확정",
    }
    for i, a in enumerate(APPS, start=1)
]
OUTCOMES = [
    {
        "match_id": m["match_id"],
        "market_name": m["market_name"],
        "org_name": m["org_name"],
        "activity_date": "2026-11-20",
        "activity_type": "전통시장가는날",
        "content": f"{HOSTILE_CONTACT} {HOSTILE_NUMBERS} 김 대표님 방문",
        "participants": "30",
        "purchase_won": "300000",
        "onnuri_won": "0",
        "evidence_link": "https://blog.example.com/?tel=010-1111-2222",
        "best_practice": "Y",
    }
    for m in MATCHES
]
OUTCOMES[1]["content"] = FORMULAS[2]
OUTCOMES[2]["content"] = "- 월 1회 장보기"


def _fill(config: Config) -> None:
    jobs.init(config)
    master = open_backend(config, "master")
    with transaction(master):
        for tab, rows in (("참여신청", APPS), ("시장", MARKETS), ("매칭", MATCHES)):
            append_rows(master, SCHEMAS[tab], [dict(r) for r in rows])
    outcomes = open_backend(config, "outcomes")
    with transaction(outcomes):
        append_rows(outcomes, SCHEMAS["성과보고"], [dict(r) for r in OUTCOMES])


def _run_cli(config: Config) -> tuple[dict, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "automation", "-vv", "run", "--json"],
        cwd=config.path.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return json.loads(proc.stdout), proc.stderr


def _leaks(text: str, detector: Detector, allowed: tuple[str, ...] = ()) -> list[str]:
    for ok in allowed:
        text = text.replace(ok, " ")
    return [text[max(0, f.start - 15) : f.end + 15] for f in detector.find(text)]


def _formulas(text: str) -> list[str]:
    return [m for m in FORMULA_MARKS if m in text]


def _mail_texts(msg: EmailMessage) -> tuple[str, list[tuple[str, bytes]]]:
    parts, files = [str(msg["Subject"] or "")], []
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            continue
        name = part.get_filename()
        if name:
            files.append((name, part.get_payload(decode=True)))
        elif part.get_content_type() in ("text/plain", "text/html"):
            parts.append(part.get_content())
    return "\n".join(parts), files


def _document_text(name: str, data: bytes, folder: Path) -> list[str]:
    """One text per page (PDF, via pdftotext) or the whole .docx (paragraphs and table cells)."""
    path = folder / name
    path.write_bytes(data)
    if name.endswith(".docx"):
        d = docx.Document(str(path))
        cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
        return ["\n".join([p.text for p in d.paragraphs] + cells)]
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is needed to read the PDF pages")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")


def _workbook_cells(config: Config, role: str, gsheets=None) -> dict[str, list[str]]:
    if gsheets is not None:
        book = gsheets.books[KEYS[role]]
        return {t.title: [c for r in t.values() for c in r if c] for t in book.tabs}
    wb = openpyxl.load_workbook(config.workbooks[role], read_only=True)
    out = {
        ws.title: [str(v) for r in ws.iter_rows(values_only=True) for v in r if v not in (None, "")]
        for ws in wb.worksheets
    }
    wb.close()
    return out


def _scan(config: Config, smtp_server, gsheets, tmp_path: Path) -> None:
    detector = Detector(PEOPLE)
    result, logs = _run_cli(config)

    # the dashboard: every cell of every tab
    for tab, cells in _workbook_cells(config, "dashboard", gsheets).items():
        for cell in cells:
            assert not _leaks(cell, detector) and not _formulas(cell), (tab, cell)
    # the outcomes file's market tabs (made by the job; 성과보고 is the staff's own input tab)
    market_tabs = {t: c for t, c in _workbook_cells(config, "outcomes", gsheets).items() if t.startswith("성과_")}
    assert len(market_tabs) == 3
    for tab, cells in market_tabs.items():
        for cell in cells:
            assert not _leaks(cell, detector), (tab, cell)

    # every mail to a market of a pair without 제3자제공동의, and every page of what it carries
    no_consent = {m["association_email"] for m, a in zip(MARKETS, APPS, strict=True) if a["third_party_consent"] != "Y"}
    allowed = (SENDER, CC, *no_consent, *(m["association_phone"] for m in MARKETS))
    to_markets = [s.message for s in smtp_server.messages if s.message["To"] in no_consent]
    assert len(to_markets) == len(no_consent)
    pages = 0
    for msg in to_markets:
        body, files = _mail_texts(msg)
        assert not _leaks(body, detector, allowed), (msg["To"], _leaks(body, detector, allowed))
        assert not _formulas(body), (msg["To"], _formulas(body))
        assert files, "the agreement is attached"
        for name, data in files:
            for page in _document_text(name, data, tmp_path):
                pages += 1
                # the party block names the organisation's 대표자 as signatory: shown on purpose
                signatory = tuple(a["representative"] for a in APPS)
                assert not _leaks(page, detector, allowed + signatory), (name, _leaks(page, detector, allowed))
                assert not _formulas(page), (name, _formulas(page))
    assert pages >= len(to_markets)
    # what the organisation with consent shares does reach its market
    consented = next(s.message for s in smtp_server.messages if s.message["To"] == MARKETS[2]["association_email"])
    assert "010-5555-6666" in _mail_texts(consented)[0]

    # machine output: no cell value, no personal data; logs too
    text = json.dumps(result, ensure_ascii=False)
    assert not _leaks(text, detector, allowed), _leaks(text, detector, allowed)[:5]
    assert not _leaks(logs, detector, allowed), _leaks(logs, detector, allowed)[:5]
    issues = [i for r in result["steps"] for i in r["issues"]]
    assert issues and all(i["value"] in (None, "") for i in issues)
    masked = [i for i in issues if i["code"] == "consent_masked"]
    assert {i["row"] for i in masked} >= {2, 3}  # staff told, on the 매칭 rows of both pairs


def _config(folder: Path, body: str, port: int) -> Config:
    path = folder / "onemarket.toml"
    path.write_text(body + smtp_section(port, sender=SENDER, cc=[CC]) + '[documents]\npdf = "auto"\n', encoding="utf-8")
    return load_config(path)


def test_nothing_personal_leaves_on_xlsx(tmp_path, smtp_server):
    config = _config(tmp_path, '[workbook]\nbackend = "xlsx"\n', smtp_server.port)
    _fill(config)
    _scan(config, smtp_server, None, tmp_path)


def test_nothing_personal_leaves_on_google(tmp_path, smtp_server, gsheets, google_onemarket_config):
    body = google_onemarket_config.path.read_text(encoding="utf-8")
    config = _config(google_onemarket_config.path.parent, body, smtp_server.port)
    _fill(config)
    _scan(config, smtp_server, gsheets, tmp_path)


def test_validation_tells_staff_on_the_application_row(tmp_path, smtp_server):
    config = _config(tmp_path, '[workbook]\nbackend = "xlsx"\n', smtp_server.port)
    _fill(config)
    proc = subprocess.run(
        [sys.executable, "-m", "automation", "validate", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    issues = json.loads(proc.stdout)["issues"]
    masked = {(i["row"], i["column"]) for i in issues if i["code"] == "consent_masked"}
    assert {(2, "특화프로그램"), (3, "특화프로그램")} <= masked
    # a 주민등록번호 is an error of its own on the row (delete it), whatever the consent
    assert any(i["row"] == 2 and i["column"] == "기타협력" and i["code"] == "rrn" for i in issues)
    assert not any(i["row"] == 4 and i["code"] == "consent_masked" for i in issues)  # consent Y
    formulas = {(i["row"], i["column"]) for i in issues if i["code"] == "formula_like"}
    assert {(2, "제품·서비스"), (3, "특화프로그램"), (3, "기타협력"), (4, "특화프로그램")} <= formulas
