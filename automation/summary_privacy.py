"""Personal data out of the dashboard's free text (우수사례후보 내용, 증빙링크, 기관명, 시장명, 활동유형).

:class:`Scrubber` replaces with :data:`MASK`, in this order: e-mail addresses; 주민등록번호
(the validator's own pattern, :func:`automation.parsers.mask_rrn`); phone numbers (a run that
starts with 0 or +82 and reads as 0AA-BBB(B)-CCCC with spaces, dots, dashes or brackets between
the groups, or none); 사업자등록번호 (3-2-5 digits with or without separators — any 10-digit run,
so a 10-digit amount typed without commas is masked too: privacy first); and every known person
name. Known names are the cells of 참여신청.대표자/담당자명 and 시장.상인회담당자: the whole cell
and each word of it (split at spaces, commas, slashes, brackets, '및'; '님'/'씨' dropped; job
titles such as 과장 and placeholders such as 없음 are not names), 2 to 40 characters, matched
with optional spaces between letters ('김 철수'), case-insensitive. Limit: a person's name that
appears nowhere in the master file cannot be recognised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from automation.parsers import clean_text, mask_rrn

MASK = "[개인정보 가림]"
MAX_NAME = 40  # longer "names" are notes, not names (their words still count)
_RRN_MASK = "******-*******"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+\s?82[\s.\-]*(?:\(0\))?\s?|0)\d{1,2}[\s.\-)]*\d{3,4}[\s.\-]*\d{4}(?!\d)")
_BRN = re.compile(r"(?<!\d)\d{3}[\s.\-]?\d{2}[\s.\-]?\d{5}(?!\d)")
_SPLIT = re.compile(r"[\s,/;·()\[\]&+]+|및")
_HONORIFIC = re.compile(r"(님|씨)$")
NOT_NAMES = frozenset({
    "대표", "대표자", "대표이사", "담당", "담당자", "과장", "대리", "주임", "사원", "팀장", "부장", "차장", "실장",
    "국장", "본부장", "센터장", "소장", "회장", "부회장", "사무국장", "총무", "이사", "상무", "전무", "사장",
    "없음", "해당없음", "미정", "미상", "모름", "공석", "상인회", "상인회장",
})


def name_variants(cell: str) -> set[str]:
    """The strings of one name cell that count as a person's name (see the module docstring)."""
    text = clean_text(cell)
    words = {_HONORIFIC.sub("", w) for w in _SPLIT.split(text)}
    out = {w for w in words if w not in NOT_NAMES}
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
        for ch in (c for c in name.lower() if not c.isspace()):
            node = node.setdefault(ch, {})
        if node is not trie:
            node[""] = {}
    if not trie:
        return None
    return re.compile("(?:" + "|".join(re.escape(ch) + _after(child) for ch, child in sorted(trie.items())) + ")",
                      re.IGNORECASE)


class Scrubber:
    """``scrub(text)`` → the text with personal data replaced by :data:`MASK`."""

    def __init__(self, name_cells: Iterable[str]) -> None:
        self.names = tuple(sorted({n for cell in name_cells for n in name_variants(cell)}))
        self._names = names_regex(self.names)

    def __call__(self, text: str) -> str:
        out = _EMAIL.sub(MASK, text)
        out = mask_rrn(out).replace(_RRN_MASK, MASK)
        out = _PHONE.sub(MASK, out)
        out = _BRN.sub(MASK, out)
        if self._names is not None:
            out = self._names.sub(MASK, out)
        return out


def cut(text: str, limit: int) -> str:
    """At most ``limit`` characters; a cut text ends with '…'."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["MASK", "NOT_NAMES", "Scrubber", "cut", "name_variants", "names_regex"]
