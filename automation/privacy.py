"""The one personal-data detector for everything that leaves the staff's own file.

Used for the dashboard, market notices and agreements of a pair without 제3자제공동의, machine
output (``--json``, logs) and anything else shared beyond staff. :class:`Detector` finds, in this
order of precedence when spans overlap:

* 주민등록번호-like numbers (YYMMDD-Gnnnnnn with a real date; any dash, underscore, dot, space or
  nothing between; also half-masked ``900101-1******``);
* e-mail addresses, also with Korean (IDN) or punycode domains, ``＠``, ``(at)``/``[at]`` and a space
  either side of the ``@``;
* phone numbers: a run starting with 0, +82 or 82 that reads 0AA-BBB(B)-CCCC with spaces, dots,
  dashes, underscores, slashes or brackets between the groups, or none;
* 사업자등록번호: 3-2-5 digits with separators, or 10 digits in a row when the check digit holds;
* the names of people the workbook holds (참여신청 대표자·담당자명, 시장 상인회담당자), whole cell and
  each word of it, with optional spaces between letters, case-insensitive.

Text is normalised first (NFKC: full-width forms; every dash and minus sign → ``-``; zero-width
characters dropped), and spans found in the normalised text are mapped back, so the masked text
keeps everything else exactly as typed. Near-misses stay: amounts (``1,200,000원``, ``1억 2천만원``),
dates (``2024-05-02``, ``2024.5.2``), times, 시장코드, 매칭ID/신청ID and counts, and the product's own
examples right after ``예:`` in its messages ("(예: 010-1234-5678)"; :data:`EXAMPLES`). Limit: a person's
name that appears nowhere in the workbook cannot be recognised.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from stdnum.kr import brn as stdnum_brn

from automation.parsers import clean_text

MASK = "[개인정보 가림]"
KIND_WORDS = {"rrn": "주민등록번호", "email": "이메일", "phone": "전화번호", "brn": "사업자등록번호", "name": "이름"}
MAX_NAME = 40  # longer "names" are notes, not names (their words still count)

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−﹣－⁃﹘⸺⸻"), "-")
_DROPPED = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f")
_SEP = r"[ \t]{0,2}[.\-_/]?[ \t]{0,2}"  # between two digit groups: '-', ' - ', '.', '_', '/', '' …
_RRN = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})[ \t]?[-_.]?[ \t]?[1-8](?:\d{6}|[*xX●○]{6})(?![\d*])")
_EMAIL = re.compile(
    r"[\w.%+\-]+[ \t]?(?:@|\(at\)|\[at\])[ \t]?[\w\-]+(?:\.[\w\-]+)*\.(?:xn--[\w\-]+|[^\W\d_]{2,})", re.IGNORECASE
)
_PHONE = re.compile(
    rf"(?<!\d)(?:\+[ \t]?82{_SEP}(?:\(0\))?[ \t]?0?|82{_SEP}0?(?=1[016789])|0)"
    rf"(?:\(?\d{{1,2}}\)?){_SEP}\(?\d{{3,4}}\)?{_SEP}\d{{4}}(?!\d)"
)
_BRN = re.compile(
    r"(?<!\d)(\d{3})[ \t]{0,2}([.\-_/ ])[ \t]{0,2}(\d{2})[ \t]{0,2}[.\-_/ ][ \t]{0,2}(\d{5})(?!\d)"
    r"|(?<!\d)(\d{10})(?!\d)"
)
_EXAMPLE = re.compile(r"예[:)][ \t]?$")
#: the examples the product's own messages give after '예:' (automation.parsers)
EXAMPLES = frozenset({"010-1234-5678", "02-123-4567", "031-201-6977", "kim@example.com", "116-82-00276"})
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_SPLIT = re.compile(r"[\s,/;·()\[\]&+]+|및")
_PEOPLE_SPLIT = re.compile(r"[,/;·&+]|및")
_HONORIFIC = re.compile(r"(님|씨)$")
NOT_NAMES = frozenset(
    {
        "대표",
        "대표자",
        "대표이사",
        "담당",
        "담당자",
        "과장",
        "대리",
        "주임",
        "사원",
        "팀장",
        "부장",
        "차장",
        "실장",
        "국장",
        "본부장",
        "센터장",
        "소장",
        "회장",
        "부회장",
        "사무국장",
        "총무",
        "이사",
        "상무",
        "전무",
        "사장",
        "없음",
        "해당없음",
        "미정",
        "미상",
        "모름",
        "공석",
        "상인회",
        "상인회장",
    }
)


@dataclass(frozen=True)
class Finding:
    kind: str  # rrn, email, phone, brn, name
    start: int  # in the text as given
    end: int


def normalise(text: str) -> tuple[str, list[int]]:
    """NFKC per character, dashes → '-', zero-width dropped; and for each output character the index
    of the input character it came from (one more entry at the end: ``len(text)``)."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch in _DROPPED:
            continue
        for n in unicodedata.normalize("NFKC", ch).translate(_DASHES):
            out.append(n)
            where.append(i)
    where.append(len(text))
    return "".join(out), where


def name_variants(cell: str) -> set[str]:
    """The strings of one name cell that count as a person's name (whole cell, and its words)."""
    text = clean_text(cell)
    out: set[str] = set()
    for person in _PEOPLE_SPLIT.split(text):  # '박 민준, 최서연' → two people
        words = [_HONORIFIC.sub("", w) for w in _SPLIT.split(person)]
        kept = [w for w in words if w and w not in NOT_NAMES]
        out |= set(kept) | {" ".join(kept)}  # '김 철수 과장' → 김 철수 (also 김철수), 철수
    if text not in NOT_NAMES:
        out.add(text)
    return {n for n in out if 2 <= len(n) <= MAX_NAME}


Trie = dict[str, "Trie"]


def _after(node: Trie) -> str:
    """Regex for what may follow a trie node: the next letter (after an optional space), or the end."""
    branches = [re.escape(ch) + _after(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = r"\s?" + (branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")")
    return f"(?:{body})?" if "" in node else body


def names_regex(names: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for all names, as a letter trie (fast with thousands of names): the longest name
    wins, a space may sit between any two letters, case is ignored."""
    trie: Trie = {}
    for name in names:
        node = trie
        for ch in (c for c in unicodedata.normalize("NFKC", name).lower() if not c.isspace()):
            node = node.setdefault(ch, {})
        if node is not trie:
            node[""] = {}
    if not trie:
        return None
    return re.compile(
        "(?:" + "|".join(re.escape(ch) + _after(child) for ch, child in sorted(trie.items())) + ")", re.IGNORECASE
    )


def _rrn_ok(m: re.Match[str]) -> bool:
    month, day = int(m.group(2)), int(m.group(3))
    return 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]


def _brn_ok(m: re.Match[str]) -> bool:
    if m.group(5):  # ten digits in a row: only with a valid check digit
        return bool(stdnum_brn.is_valid(m.group(5)))
    return True


class Detector:
    """``find(text)`` → findings; ``mask(text)`` (or calling it) → the text with each one replaced by
    :data:`MASK`. ``names``: the cells of the workbook that name people (see :func:`name_variants`)."""

    def __init__(self, name_cells: Iterable[str] = ()) -> None:
        self.names = tuple(sorted({n for cell in name_cells for n in name_variants(cell)}))
        self._names = names_regex(self.names)

    def find(self, text: str) -> list[Finding]:
        if not text:
            return []
        norm, where = normalise(text)
        spans: list[tuple[int, int, str]] = []
        taken = [False] * len(norm)

        def claim(
            kind: str, pattern: re.Pattern[str] | None, ok: Callable[[re.Match[str]], bool] | None = None
        ) -> None:
            if pattern is None:
                return
            for m in pattern.finditer(norm):
                s, e = m.span()
                if m.group() in EXAMPLES and _EXAMPLE.search(norm, 0, s):
                    continue  # '(예: 010-1234-5678)': a message's own example, not data
                if e > s and (ok is None or ok(m)) and not any(taken[s:e]):
                    spans.append((s, e, kind))
                    taken[s:e] = [True] * (e - s)

        claim("rrn", _RRN, _rrn_ok)
        claim("email", _EMAIL)
        claim("phone", _PHONE)
        claim("brn", _BRN, _brn_ok)
        claim("name", self._names)
        return sorted((Finding(kind, where[s], where[e - 1] + 1) for s, e, kind in spans), key=lambda f: f.start)

    def mask_counted(self, text: str) -> tuple[str, Counter[str]]:
        found = self.find(text)
        if not found:
            return text, Counter()
        parts, last = [], 0
        for f in found:
            parts += [text[last : f.start], MASK]
            last = f.end
        parts.append(text[last:])
        return "".join(parts), Counter(f.kind for f in found)

    def mask(self, text: str) -> str:
        return self.mask_counted(text)[0]

    __call__ = mask


#: the patterns alone (no names): for text whose people the caller does not know, such as messages
PATTERNS = Detector()

# -- consent (개인정보보호법 제17조): what reaches the market for a pair without 제3자제공동의 = Y --------
#: the organisation's people: their names are masked in free text sent to the market
PEOPLE = ("contact_name", "representative")
#: shown as it is even then: the signatory of the agreement (the party signs with its own name)
AS_PARTY = frozenset({"representative"})
#: the organisation itself: contact patterns masked, but a person's name in it is the organisation's name
NAMES_KEPT = frozenset({"representative", "org_name", "address", "org_type"})
#: the application cells whose words reach the market (agreement, market notice)
MARKET_BOUND = {
    "org_name": "기관명",
    "address": "주소",
    "special_program": "특화프로그램",
    "other_cooperation": "기타협력",
}


class _Cells(Protocol):
    def __getitem__(self, key: str, /) -> str: ...


def consent_detector(app: _Cells) -> Detector:
    """The detector for one application's text on its way to the market (its people's names known)."""
    return Detector([app[k] for k in PEOPLE])


def for_market(detector: Detector, key: str, text: str) -> tuple[str, Counter[str]]:
    """``text`` of the application's ``key`` as the market may see it without consent, and what was masked."""
    if key in AS_PARTY or not text:
        return text, Counter()
    return (PATTERNS if key in NAMES_KEPT else detector).mask_counted(text)


def kinds_text(counts: Counter[str]) -> str:
    """'이메일 2건, 전화번호 1건' for a message."""
    return ", ".join(f"{KIND_WORDS.get(k, k)} {n}건" for k, n in sorted(counts.items(), key=lambda kv: kv[0]))


# -- machine output (``--json``, logs): rows are named by tab, row number and ID, never by value --------
#: keys of the reports that hold a cell's value (Issue.value; a --fix change's before/after)
VALUE_KEYS = frozenset({"value", "before", "after"})


def redact(data: object) -> object:
    """A report as plain data with every cell value dropped and personal data masked in the text."""
    if isinstance(data, dict):
        return {k: (None if k in VALUE_KEYS and v not in (None, "") else redact(v)) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [redact(v) for v in data]
    if isinstance(data, str):
        return PATTERNS.mask(data)
    return data


class RedactingFilter(logging.Filter):
    """A logging filter that masks personal data in every record's text (installed by the CLI)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        masked = PATTERNS.mask(text)
        if masked != text:
            record.msg, record.args = masked, ()
        return True


def cut(text: str, limit: int) -> str:
    """At most ``limit`` characters; a cut text ends with '…'."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "MARKET_BOUND",
    "MASK",
    "NOT_NAMES",
    "PATTERNS",
    "PEOPLE",
    "VALUE_KEYS",
    "Detector",
    "Finding",
    "RedactingFilter",
    "consent_detector",
    "cut",
    "for_market",
    "kinds_text",
    "name_variants",
    "names_regex",
    "normalise",
    "redact",
]
