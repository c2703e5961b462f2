"""Which agreement was rendered from which inputs: ``<state_dir>/documents.json``.

A document is re-rendered only when the hash of its inputs (the context, the template's bytes,
whether a PDF is wanted) changed or one of its files is gone. File names are stored relative to
the output folder; nothing outside it is ever touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from automation.errors import DocumentError

VERSION = 1


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
    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, Entry] = {}
        if path.is_file():
            self.entries = self._load()

    def _load(self) -> dict[str, Entry]:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
            return {k: Entry(**v) for k, v in data.get("documents", {}).items()}
        except (OSError, ValueError, TypeError) as exc:
            raise DocumentError(
                f"협약서 기록 파일 {self.path}을(를) 읽을 수 없습니다 ({exc}). 백업에서 되살리거나, 모든 협약서를 "
                "다시 만들어도 되면 이 파일을 지우세요."
            ) from exc

    def get(self, match_id: str) -> Entry | None:
        return self.entries.get(match_id)

    def put(self, match_id: str, entry: Entry) -> None:
        self.entries[match_id] = entry

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"version": VERSION, "documents": {k: asdict(v) for k, v in sorted(self.entries.items())}},
                          ensure_ascii=False, indent=1)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".documents-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise DocumentError(f"협약서 기록 파일 {self.path}에 쓸 수 없습니다: {exc}") from exc
