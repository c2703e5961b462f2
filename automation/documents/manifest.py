"""Which agreement was rendered from which inputs: in the workbook's job state (``_작업상태``).

A document is re-rendered only when the hash of its inputs (the context, the template's bytes,
whether a PDF is wanted) changed or one of its files is gone. File names are stored relative to
the output folder; nothing outside it is ever touched.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from automation.state import DOCUMENT, WorkState


@dataclass(frozen=True)
class Entry:
    hash: str
    docx: str
    pdf: str = ""
    rendered_at: str = ""

    def files(self, folder: Path) -> list[Path]:
        return [folder / name for name in (self.docx, self.pdf) if name]

    def complete(self, folder: Path) -> bool:
        return all(p.is_file() for p in self.files(folder))

    def main_file(self, folder: Path) -> Path:
        """The file people should open (and mail should attach): the PDF when there is one."""
        return folder / (self.pdf or self.docx)


def inputs_hash(context: Mapping[str, object], template: Path, pdf: bool) -> str:
    body = json.dumps(context, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256()
    digest.update(body.encode("utf-8"))
    digest.update(hashlib.sha256(template.read_bytes()).digest())
    digest.update(b"pdf" if pdf else b"docx")
    return digest.hexdigest()[:32]


class Manifest:
    """The agreements' fingerprints, kept in the workbook's job state (kind "협약서")."""

    def __init__(self, state: WorkState) -> None:
        self.state = state
        self.entries: dict[str, Entry] = {}
        for match_id in state.items(DOCUMENT):
            data = state.get_json(DOCUMENT, match_id)
            if data is None:
                continue
            try:
                self.entries[match_id] = Entry(**{k: str(v) for k, v in data.items()})
            except TypeError:
                continue

    def get(self, match_id: str) -> Entry | None:
        return self.entries.get(match_id)

    def put(self, match_id: str, entry: Entry) -> None:
        self.entries[match_id] = entry
        self.state.set_json(DOCUMENT, match_id, asdict(entry))
