"""Read the official 전국전통시장표준데이터 CSV and plan an upsert into the 시장 tab.

No spreadsheet I/O here: :func:`read_market_csv` gives records by header, :func:`market_rows`
maps them to the 시장 tab's column keys, :func:`plan_upsert` says what to add and change.
The write is done by the caller (``automation/sheets/table.py``).

Decisions (see also each function):

* 시장코드 — the national file has none. A ``시장코드`` column in the CSV is used as is;
  otherwise :func:`derive_market_code` gives ``'M' + 8 upper-case hex digits`` of
  SHA-256("<시장명 NFC, no spaces>|<시군>"): stable across re-downloads and row order.
  Two markets of one import with the same name in the same 시군 get the road (else lot)
  address added to the hashed text, so codes stay unique within an import.
* A non-empty 시장코드 already in the sheet is never changed (the 매칭 tab refers to it); a row
  matched by name and address keeps its code, only a blank code is filled in.
* A blank value in the CSV never clears a value already in the sheet (staff may have filled a
  gap); every other difference in an import-owned column is an update.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from automation import geo
from automation.errors import InputFileError
from automation.schema import TABS, TabSchema, default_schemas

NAME = "시장명"
ROAD = "소재지도로명주소"
LOT = "소재지지번주소"
CODE = "시장코드"
# header variants seen in downloads → the header used in the returned records
HEADER_ALIASES = {
    "개설년도": "개설연도",
    "도로명주소": ROAD,
    "지번주소": LOT,
    "주차장": "주차장보유여부",
}
# 시장 tab key ← CSV header
FIELD_MAP: dict[str, str] = {
    "market_name": NAME,
    "market_type": "시장유형",
    "road_address": ROAD,
    "lot_address": LOT,
    "latitude": "위도",
    "longitude": "경도",
    "store_count": "점포수",
    "items": "취급품목",
    "vouchers": "사용가능상품권",
    "parking": "주차장보유여부",
}
# staff columns a new row starts with, blank (수용기관수 blank = the default 1, for staff to set)
STAFF_KEYS = (
    "idle_space",
    "culture_space",
    "association_contact",
    "association_phone",
    "association_email",
    "capacity",
    "participating",
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            f"{path.name}은(는) 엑셀 파일입니다. 엑셀에서 'CSV UTF-8' 또는 'CSV' 형식으로 저장한 파일을 지정하세요."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "cp949")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise InputFileError(
        f"{path.name}을(를) 읽을 수 없습니다: CSV 텍스트 파일(UTF-8 또는 CP949)이 아닙니다. "
        "공공데이터포털에서 내려받은 CSV 파일을 그대로 지정하세요."
    )


def read_market_csv(path: Path) -> list[dict[str, str]]:
    """Records of a 전국전통시장표준데이터 CSV as downloaded, keyed by (canonical) header.

    UTF-8 with or without BOM and CP949 are detected; '개설년도' is read as '개설연도'. Values are
    the CSV text with surrounding spaces removed (위도 stays '37.82972123'). Blank lines are
    skipped. Raises :class:`InputFileError` (Korean message) for a missing, empty, binary or
    non-CSV file, or when the 시장명 column or both address columns are missing.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"시장 CSV 파일 {path}이(가) 없습니다. 경로를 확인하세요.") from None
    except OSError as exc:
        raise InputFileError(f"시장 CSV 파일 {path}을(를) 열 수 없습니다 ({exc.strerror}).") from None
    empty = f"{path.name}이(가) 비어 있습니다. 전국전통시장표준데이터 CSV를 다시 내려받으세요."
    text = _decode(data, path)
    if not text.strip():
        raise InputFileError(empty)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        rows = [
            r for r in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter) if any(c.strip() for c in r)
        ]
    except csv.Error as exc:
        raise InputFileError(f"{path.name}은(는) 올바른 CSV가 아닙니다 ({exc}).") from None
    if not rows:
        raise InputFileError(empty)
    header = ["".join(_nfc(h).split()) for h in rows[0]]
    header = [HEADER_ALIASES.get(h, h) for h in header]
    if NAME not in header:
        raise InputFileError(
            f"{path.name}에 '{NAME}' 열이 없습니다. 첫 줄이 머리글"
            "(시장명, 시장유형, 소재지도로명주소 …)인 전국전통시장표준데이터 CSV를 지정하세요."
        )
    if ROAD not in header and LOT not in header:
        raise InputFileError(
            f"{path.name}에 '{ROAD}' 또는 '{LOT}' 열이 없습니다. "
            "주소 열이 있는 전국전통시장표준데이터 CSV를 지정하세요."
        )
    missing = [h for h in ("위도", "경도") if h not in header]
    if missing:
        raise InputFileError(
            f"{path.name}에 '{missing[0]}' 열이 없습니다. 공공데이터포털의 「전국전통시장표준데이터」 CSV"
            "(시장명, 소재지도로명주소, 위도, 경도 … 열)를 지정하세요. 다른 시장 현황 파일은 받지 않습니다."
        )
    if len(rows) == 1:
        raise InputFileError(f"{path.name}에 머리글만 있고 시장 행이 없습니다. 파일을 다시 내려받으세요.")
    records: list[dict[str, str]] = []
    for row in rows[1:]:
        record: dict[str, str] = {}
        for i, name in enumerate(header):
            if name and name not in record:
                record[name] = _nfc(row[i]).strip() if i < len(row) else ""
        records.append(record)
    return records


def normalize_name(name: str) -> str:
    """Comparison key of a market name: NFKC/NFC, no spaces, lower case."""
    return "".join(_nfc(unicodedata.normalize("NFKC", name)).split()).lower()


def normalize_address(address: str) -> str:
    """Comparison key of an address: like :func:`normalize_name`, without a leading 경기도/경기."""
    key = normalize_name(address.replace(",", " "))
    for prefix in ("경기도", "경기"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def derive_market_code(name: str, sigun: str, extra: str = "") -> str:
    """'M' + 8 hex digits of SHA-256 of the NFC name without spaces and the 시군 (+ extra)."""
    text = "".join(_nfc(name).split()) + "|" + _nfc(sigun).strip()
    if extra:
        text += "|" + normalize_address(extra)
    return "M" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8].upper()


def market_rows(records: Iterable[dict[str, str]], sido: str = "경기도") -> list[dict[str, str]]:
    """Records of one 시도 mapped to the 시장 tab's import keys (values are strings).

    The 시도/시군/구 come from the road address, else the lot address ('경기' is accepted for
    ``sido``). Records without a 시장명 are dropped. See the module note for 시장코드.
    """
    want = geo.normalize_sido(sido) or sido
    rows: list[dict[str, str]] = []
    for rec in records:
        name = rec.get(NAME, "").strip()
        if not name:
            continue
        road, lot = rec.get(ROAD, ""), rec.get(LOT, "")
        parts = [geo.parse_address(a) for a in (road, lot) if a.strip()]
        found = next((p.sido for p in parts if p.sido), None)
        if found != want:
            continue
        same = [p for p in parts if p.sido == found]
        sigun = next((p.sigun for p in same if p.sigun), None) or ""
        gu = next((p.gu for p in same if p.gu and p.sigun == sigun), None) or ""
        row = {key: rec.get(header, "") for key, header in FIELD_MAP.items()}
        row.update(market_code=rec.get(CODE, "").strip(), sigun=sigun, gu=gu)
        rows.append(row)
    counts = Counter((normalize_name(r["market_name"]), r["sigun"]) for r in rows)
    for r in rows:
        if not r["market_code"]:
            twin = counts[(normalize_name(r["market_name"]), r["sigun"])] > 1
            extra = (r["road_address"] or r["lot_address"]) if twin else ""
            r["market_code"] = derive_market_code(r["market_name"], r["sigun"], extra)
    return rows


def schema_import_keys(schema: TabSchema | None = None) -> set[str]:
    """Keys of the 시장 columns with ``source = "import"`` (the columns the import owns)."""
    tab = schema or default_schemas()[TABS.markets]
    return {c.key for c in tab.columns if c.source == "import"}


@dataclass(frozen=True)
class Update:
    """Changes for one existing row: its position in ``existing``, its 시장코드 (may be blank)."""

    index: int
    market_code: str
    changes: dict[str, str]


@dataclass
class UpsertPlan:
    added: list[dict[str, str]] = field(default_factory=list)
    updated: list[Update] = field(default_factory=list)
    unchanged: int = 0
    not_in_source: int = 0
    not_in_source_rows: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "추가": len(self.added),
            "변경": len(self.updated),
            "변경없음": self.unchanged,
            "원본에없음": self.not_in_source,
        }


def _clean(value: str | None) -> str:
    return _nfc(value or "").strip()


def plan_upsert(existing: list[dict[str, str]], incoming: list[dict[str, str]], import_keys: set[str]) -> UpsertPlan:
    """Match each incoming market to an existing row and list what to add and change.

    Matching, in order: same 시장코드; else same normalised 시장명 and the same normalised road
    or lot address; else same normalised 시장명 and 시군 when that pair is unique on both sides.
    Only ``import_keys`` are compared and changed; other keys (staff columns, extra columns)
    are never touched. Existing rows absent from the import are counted, never deleted.
    """
    plan = UpsertPlan()
    by_code: dict[str, int] = {}
    by_addr: dict[tuple[str, str], list[int]] = {}
    by_sigun: dict[tuple[str, str], list[int]] = {}
    live: list[int] = []
    for i, row in enumerate(existing):
        code, name = _clean(row.get("market_code")), normalize_name(row.get("market_name", ""))
        if not code and not name:
            continue  # a blank row
        live.append(i)
        if code:
            by_code.setdefault(code, i)
        for key in ("road_address", "lot_address"):
            if _clean(row.get(key)):
                by_addr.setdefault((name, normalize_address(row.get(key, ""))), []).append(i)
        by_sigun.setdefault((name, _clean(row.get("sigun"))), []).append(i)
    incoming_pairs = Counter((normalize_name(r.get("market_name", "")), _clean(r.get("sigun"))) for r in incoming)
    claimed: set[int] = set()
    seen_codes: set[str] = set()

    def free(cands: list[int]) -> int | None:
        unique = sorted(set(cands))
        return unique[0] if len(unique) == 1 and unique[0] not in claimed else None

    for row in incoming:
        code, name = _clean(row.get("market_code")), normalize_name(row.get("market_name", ""))
        if code and code in seen_codes:
            plan.problems.append(
                f"시장코드 '{code}'가 가져온 파일에 두 번 나옵니다 "
                f"({row.get('market_name', '')}): 두 번째 행은 건너뜁니다."
            )
            continue
        seen_codes.add(code)
        match: int | None = by_code.get(code) if code else None
        if match is not None and match in claimed:
            match = None
        if match is None:
            for key in ("road_address", "lot_address"):
                if match is None and _clean(row.get(key)):
                    match = free(by_addr.get((name, normalize_address(row.get(key, ""))), []))
        pair = (name, _clean(row.get("sigun")))
        if match is None and pair[1] and incoming_pairs[pair] == 1:
            match = free(by_sigun.get(pair, []))
        if match is None:
            new = {k: _clean(v) for k, v in row.items() if k in import_keys}
            for key in STAFF_KEYS:
                new.setdefault(key, "")
            plan.added.append(new)
            continue
        claimed.add(match)
        old = existing[match]
        old_code = _clean(old.get("market_code"))
        changes: dict[str, str] = {}
        for key in sorted(import_keys):
            if key not in row or (key == "market_code" and old_code):
                continue
            new_value, old_value = _clean(row[key]), _clean(old.get(key))
            if new_value and new_value != old_value:
                changes[key] = new_value
        if changes:
            plan.updated.append(Update(match, old_code, changes))
        else:
            plan.unchanged += 1
    plan.not_in_source_rows = [i for i in live if i not in claimed]
    plan.not_in_source = len(plan.not_in_source_rows)
    return plan
