"""Google Forms: a form-responses tab (question titles as headers, a 타임스탬프 column) read as
신청서, one per response row.

Each question title is matched to a 참여신청 column by the same labels as the filed forms (the
form's label, the column's header and its aliases, ignoring spaces and punctuation; a title may go
on after the label, e.g. "기관(기업)명을 적어 주세요"), so a renamed question only needs an alias
in sheet_schemas/applications.toml. A check-box question titled like the form's section
"협력(희망) 분야" ticks every item its answer names. A response is known by a hash of its cells,
not by its row, so sorting or deleting response rows never imports anything twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from automation.domain.form_layout import Line
from automation.intake.fields import as_label, label_table, norm, read_value

STAMP_HEADERS = ("타임스탬프", "timestamp")


@dataclass
class Responses:
    rows: list[tuple[int, str, str, dict[str, str]]] = field(default_factory=list)  # (row, hash, stamp, values)
    columns: dict[int, str] = field(default_factory=dict)  # header position -> column key
    unknown: list[str] = field(default_factory=list)  # question titles not matched to a column
    missing: list[str] = field(default_factory=list)  # required lines no question matches


def read_responses(
    header: Sequence[str],
    rows: Sequence[tuple[int, Sequence[str]]],
    lines: Sequence[Line],
    sections: dict[str, list[Line]],
) -> Responses:
    """``sections``: section title -> its box lines (a check-box question of that title)."""
    labels = label_table(lines)
    by_key = {line.column.key: line for line in lines}
    out = Responses()
    stamp_col: int | None = None
    boxes: dict[int, list[Line]] = {}
    for i, title in enumerate(header):
        n = norm(title)
        if not n:
            continue
        if n in STAMP_HEADERS:
            stamp_col = i
            continue
        section = next((s for s in sections if norm(s) == n), None)
        if section is not None:
            boxes[i] = sections[section]
            continue
        hit = as_label(title, labels)
        if hit is None or hit[0].column.key in out.columns.values():
            out.unknown.append(title)
            continue
        out.columns[i] = hit[0].column.key
    ticked = {line.column.key for group in boxes.values() for line in group}
    seen = set(out.columns.values()) | ticked
    out.missing = [ln.label for ln in lines if ln.column.required and ln.column.key not in seen]
    for number, cells in rows:
        cells = [*cells, *[""] * (len(header) - len(cells))]
        if not any(c.strip() for c in cells):
            continue
        values: dict[str, str] = {}
        for i, key in out.columns.items():
            value = read_value(by_key[key], cells[i])
            if value:
                values[key] = value
        for i, group in boxes.items():
            answer = norm(cells[i])
            for line in group:
                if line.kind == "box" and norm(line.label) in answer:
                    values[line.column.key] = "Y"
        digest = hashlib.sha256("\x1f".join(cells).encode("utf-8")).hexdigest()[:16]
        stamp = cells[stamp_col].strip() if stamp_col is not None else ""
        out.rows.append((number, digest, stamp, values))
    return out
