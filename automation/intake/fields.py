"""Find each 신청서 field in a grid of cells by its label, and read what was written there.

Labels are compared without spaces, line breaks, brackets or punctuation (``기관(기업) 명`` =
``기관기업명``), trying the form's label, the column's header and its aliases, longest first. The
value is in the label's own cell after it (``기관명: 가나``), else in the cell to its right, else
in the cell under it (a row of labels over a row of values); a cell that reads as a label (or a
section title) is never a value. Boxes count as ticked when marked ■ ☑ ✓ V √ O … next to the choice or when the □ was
replaced; amounts like "연 1,000 천원" or "100만원" become thousands of won.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from automation.domain.form_layout import AGREE, DISAGREE, Line
from automation.intake.grid import Cell
from automation.parsers import parse_krw_thousand, parse_yn

BOX_GLYPHS = frozenset("■☑☒▣◼●◉✅")  # a box drawn ticked (☒: Word's ticked check-box control)
TICKS = BOX_GLYPHS | frozenset("✓✔√")
LETTER_TICKS = frozenset("VvOoＶｖＯｏ")
_DROP = re.compile(r"[\s()\[\]{}<>·ㆍ.,:：*※\-_/?？!~\"'「」『』]+")
MIN_LABELS = 4  # fewer recognised labels than this: not a 신청서


def norm(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass
class Found:
    values: dict[str, str] = field(default_factory=dict)  # column key -> value for the row
    labels: list[str] = field(default_factory=list)  # form labels found, in order
    missing: list[str] = field(default_factory=list)  # required lines whose label is absent


def label_table(lines: Sequence[Line]) -> list[tuple[str, Line, int]]:
    """(normalised label, line, strength): the form's own label is stronger than a header/alias."""
    pairs: dict[str, tuple[Line, int]] = {}
    for line in lines:
        for strength, name in ((2, line.label), *((1, n) for n in line.column.names)):
            key = norm(name)
            if len(key) >= 2 and key not in pairs:
                pairs[key] = (line, strength)
    return sorted(((k, ln, st) for k, (ln, st) in pairs.items()), key=lambda t: -len(t[0]))


def as_label(text: str, labels: list[tuple[str, Line, int]]) -> tuple[Line, str, int] | None:
    """(line, value written after the label in the same cell, strength) when the cell starts with a
    label."""
    if len(text) > 300:
        return None
    n = norm(text)
    for key, line, strength in labels:
        if n == key:
            return line, "", strength
        if n.startswith(key):
            for i in range(1, len(text) + 1):  # where the label ends in the original text
                if norm(text[:i]) == key:
                    rest = text[i:].strip().lstrip(":：").strip()
                    if rest and not _is_blank_template(rest):
                        return line, rest, strength
                    break
    return None


def _is_blank_template(text: str) -> bool:
    return not norm(text.replace("□", ""))


def find_fields(cells: Sequence[Cell], lines: Sequence[Line], titles: Sequence[str] = ()) -> Found:
    """The row values of one form. ``titles`` (the section titles) are neither labels nor values."""
    labels = label_table(lines)
    heads = tuple(norm(t) for t in titles)
    at = {(c.row, c.col): c for c in cells}
    hits: dict[str, tuple[Cell, Line, str, int]] = {}
    taken: set[tuple[int, int]] = set()
    for cell in cells:
        n = norm(cell.text)
        if heads and any(n == h or (len(n) > 40 and n.startswith(h)) for h in heads):
            taken.add((cell.row, cell.col))
            continue
        hit = as_label(cell.text, labels)
        if hit is None:
            continue
        taken.add((cell.row, cell.col))
        line, inline, strength = hit
        best = hits.get(line.column.key)
        if best is None or strength > best[3]:
            hits[line.column.key] = (cell, line, inline, strength)
    found = Found()
    for cell, line, inline, _ in sorted(hits.values(), key=lambda h: (h[0].row, h[0].col)):
        found.labels.append(line.label)
        raw = inline or _value_cell(cell, at, taken)
        value = read_value(line, raw)
        if value:
            found.values[line.column.key] = value
    found.missing = [ln.label for ln in lines if ln.column.required and ln.column.key not in hits]
    return found


def _value_cell(cell: Cell, at: dict[tuple[int, int], Cell], taken: set[tuple[int, int]]) -> str:
    """Right of the label; under it when there is nothing to its right (or a label there)."""
    if cell.in_table:
        right = at.get((cell.row, cell.col + cell.colspan))
        below = at.get((cell.row + cell.rowspan, cell.col))
    else:  # a paragraph label: the next paragraph holds the value
        right = None
        below = at.get((cell.row + 1, 0))
        below = below if below is not None and not below.in_table else None
    for c in (right, below):
        if c is not None and (c.row, c.col) not in taken:
            taken.add((c.row, c.col))
            return c.text
    return ""


# -- values --------------------------------------------------------------------------------------


def read_value(line: Line, raw: str) -> str:
    text = " ".join(raw.split())
    if line.kind == "text":
        return text
    if line.kind == "box":
        return _box(text)
    if line.kind == "choice":
        return _choice(text, line.column.enum)
    if line.kind == "consent":
        picked = _choice(text, (AGREE, DISAGREE))
        return {AGREE: "Y", DISAGREE: "N"}.get(picked, picked)
    return read_amount(text)


def _box(text: str) -> str:
    """A check box: a filled box glyph is Y; else the mark is read as a Y/N cell (V, O, ✓, 예 → Y;
    X, 아니오 → N, :func:`parse_yn`); anything else is kept as written."""
    rest = text.replace("□", "").strip()
    if not rest:
        return ""
    if any(ch in BOX_GLYPHS for ch in rest):
        return "Y"
    parsed = parse_yn(rest)
    return parsed.value if parsed.ok else rest


def _tick(ch: str) -> bool:
    return bool(ch) and (ch in TICKS or ch in LETTER_TICKS)


def _before(text: str, start: int) -> bool:
    """Ticked before the choice: its □ replaced (■ 중소기업) or a mark by the box (V □ 중소기업)."""
    s = text[:start].rstrip()
    if s.endswith("□"):
        s = s[:-1].rstrip()
    return _tick(s[-1:])


def _after(text: str, end: int) -> bool:
    """A mark right after the choice (중소기업 V)."""
    return _tick(text[end:].lstrip()[:1])


def _choice(text: str, options: Sequence[str]) -> str:
    if not text.strip():
        return ""
    spots: list[tuple[int, int, str]] = []
    for option in sorted(options, key=len, reverse=True):
        for m in re.finditer(re.escape(option), text):
            if not any(s <= m.start() < e for s, e, _ in spots):
                spots.append((m.start(), m.end(), option))
    spots.sort()
    marked = [o for s, _, o in spots if _before(text, s)] or [o for _, e, o in spots if _after(text, e)]
    marked = list(dict.fromkeys(marked))
    if len(marked) == 1:
        return marked[0]
    if marked:  # several ticked: kept as written, validation names the column
        return ", ".join(marked)
    if len(spots) == 1 and "□" not in text:  # the other choices deleted
        return spots[0][2]
    if _is_blank_template(re.sub("|".join(re.escape(o) for o in options), "", text)):
        return ""  # nothing ticked
    return text


def read_amount(text: str) -> str:
    """The amount line as the 온누리상품권(천원) cell: nothing written (the blank "연 ____ 천원") is
    blank; a readable amount is its digits (:func:`parse_krw_thousand`); anything else is kept as
    written, for validation to name."""
    if not any(ch.isdigit() for ch in text):
        return ""
    parsed = parse_krw_thousand(text)
    return parsed.value if parsed.ok else text
