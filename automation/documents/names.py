"""File names for agreements: ``{매칭ID}_{기관명}_{시장명}``, safe on Windows, macOS and Linux.

The names come from cells people type, so they are cleaned, not trusted:

* NFC (a name typed on a Mac arrives as decomposed Hangul); tabs and line breaks become spaces.
* Control, format (bidi overrides such as U+202E that make ``fdp.exe`` look like ``exe.pdf``, zero-width
  characters, BOM), surrogate and private-use characters are removed.
* Emoji are dropped: Korean Windows tools (cp949 zip programs, older office suites, e-mail clients)
  show them as ``?`` or refuse the file, and removing the zero-width joiner would leave broken halves.
  ``㈜``, ``©`` and other ordinary symbols stay.
* ``/ \\ : * ? " < > |`` become ``_``; runs of spaces or underscores collapse; each part is trimmed.
* The 매칭ID comes first, so a stem can never be a Windows device name (``CON``, ``NUL``, ``COM1`` …)
  or start with a dot; both are still guarded should an ID ever look like one.
* At most ``max_bytes`` bytes of UTF-8 (150 ≈ 50 Hangul syllables: room for ``.docx``/``.pdf``, a
  temporary-file prefix and Windows' 260-character paths), cut on a character boundary; the 매칭ID is
  never cut — the organisation and market names give way.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from automation.errors import DocumentError

_WHITESPACE = re.compile(r"\s+")
_FORBIDDEN = re.compile(r'[/\\:*?"<>|]')
_RUNS = re.compile(r"[ _]*_[ _]*")  # any run of spaces/underscores holding an underscore → "_"
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
# Emoji and emoji-building code points (pictographs, dingbats, flags, skin tones, keycaps, variation
# selectors, tag characters); letters, Hangul, CJK and ordinary symbols such as ㈜ are outside these.
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x27BF),
    (0x2B00, 0x2BFF),
    (0x2300, 0x23FF),
    (0xFE00, 0xFE0F),
    (0xE0000, 0xE007F),
    (0x20E3, 0x20E3),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x1F1E6, 0x1F1FF),
)
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{port}{n}" for port in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]}
)
_SEPARATOR = "_"


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _EMOJI_RANGES)


def clean_part(text: str) -> str:
    """One part of a file name (an ID, an organisation or a market), cleaned as described above."""
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text))
    text = "".join(c for c in text if unicodedata.category(c) not in _DROPPED_CATEGORIES and not _is_emoji(c))
    text = _FORBIDDEN.sub("_", text)
    text = _RUNS.sub("_", _WHITESPACE.sub(" ", text))
    return text.strip(" _")


def _fit(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` that is at most ``max_bytes`` of UTF-8 (whole characters)."""
    return text.encode("utf-8")[: max(max_bytes, 0)].decode("utf-8", errors="ignore")


def document_stem(match_id: str, org: str, market: str, max_bytes: int = 150) -> str:
    """``{매칭ID}_{기관명}_{시장명}`` as a safe file stem (no extension); empty names are left out."""
    ident = clean_part(match_id)
    if not ident:
        raise DocumentError("매칭ID가 비어 있어 협약서 파일 이름을 만들 수 없습니다. 매칭 탭의 매칭ID 칸을 확인하세요.")
    if ident.startswith("."):
        ident = "_" + ident.lstrip(".")
    if ident.split(".")[0].rstrip(" ").upper() in _RESERVED:
        ident = "_" + ident
    rest = _SEPARATOR.join(p for p in (clean_part(org), clean_part(market)) if p)
    if not rest:
        return ident
    room = max_bytes - len(ident.encode("utf-8")) - len(_SEPARATOR)
    rest = _fit(rest, room).rstrip(" _.")
    return f"{ident}{_SEPARATOR}{rest}" if rest else ident


def path_inside(folder: Path, filename: str) -> Path:
    """``folder/filename`` resolved; :class:`DocumentError` if it would lead outside ``folder``."""
    base = folder.resolve()
    target = (base / filename).resolve()
    if base not in target.parents:
        raise DocumentError(
            f"파일 이름 '{filename}'이(가) 협약서 폴더 {base} 밖을 가리켜 쓰지 않았습니다. "
            "이름에서 '..'와 '/'를 빼거나, 그 자리에 있는 바로 가기(심볼릭 링크)를 지우세요."
        )
    return target
