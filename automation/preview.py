"""The ``--dry-run`` preview folder: the product's own, never a real output folder.

The config is refused when ``[documents] preview`` is equal to, inside or above a real output
(agreements, mail outbox, state folder, the workbook files), so a dry run can never clear real
documents. The folder gets a marker file when the product creates it; a dry run clears its
subfolders only in a folder that holds the marker (or in an empty or new one).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from automation.errors import ConfigError

MARKER = ".onemarket-preview"
OWN = frozenset({"agreements", "mail"})
MARKER_TEXT = (
    "이 폴더는 onemarket --dry-run 미리보기 폴더입니다. 실행할 때마다 안의 agreements/, mail/ 폴더를 "
    "지우고 다시 만듭니다. 실제 문서를 여기에 두지 마세요.\n"
)


def _related(a: Path, b: Path) -> str:
    """'같은' | '안쪽' (a inside b) | '위' (a above b) | ''."""
    if a == b:
        return "같은"
    if a.is_relative_to(b):
        return "안쪽"
    if b.is_relative_to(a):
        return "위"
    return ""


def check_preview(preview: Path, real: Mapping[str, Path], config_name: str) -> None:
    """Raise ConfigError when the preview folder overlaps a real output (``real``: label → path)."""
    for label, path in real.items():
        how = _related(preview, path)
        if how:
            where = {"같은": "와(과) 같은 폴더", "안쪽": "의 안쪽 폴더", "위": "을(를) 품은 위 폴더"}[how]
            raise ConfigError(
                f"{config_name}: [documents] preview({preview})가 {label}({path}){where}입니다. --dry-run은 미리보기 "
                '폴더를 비우고 다시 쓰므로 실제 결과와 겹치면 안 됩니다. preview를 따로 된 폴더(기본값 "preview")로 '
                "바꾸세요."
            )


def preview_folder(preview: Path, sub: str) -> Path:
    """``preview/sub``, emptied — only inside a preview folder the product made (marker file)."""
    marker = preview / MARKER
    # a folder an earlier version made holds only these two: it is ours too
    if preview.exists() and not marker.is_file() and any(p.name not in OWN for p in preview.iterdir()):
        raise ConfigError(
            f"미리보기 폴더 {preview}에 onemarket이 만든 표시({MARKER})가 없고 다른 파일이 있어 --dry-run을 멈췄습니다. "
            "[documents] preview를 비어 있는 새 폴더로 바꾸거나, 이 폴더가 미리보기 전용이면 안의 파일을 옮기세요."
        )
    preview.mkdir(parents=True, exist_ok=True)
    if not marker.is_file():
        marker.write_text(MARKER_TEXT, encoding="utf-8")
    folder = preview / sub
    if folder.is_symlink():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)
    return folder
