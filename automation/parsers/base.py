"""Cell-value parsing, part 1: the :class:`Parsed` result, text cleaning and text-like types.

Pure functions on strings: no I/O, no clock (except :func:`automation.parsers.dates.seoul_today`
when a date parser is called without ``today``), never raise on any ``str``.
:mod:`automation.parsers` re-exports everything here; import from there.

Normalisation (:func:`clean_text`) is NFKC — full-width digits/letters/symbols become ASCII,
``㈜`` becomes ``(주)``, ``￦`` becomes ``₩`` — followed by NFC, **except** that Hangul
compatibility jamo (U+3131–U+318E: ``ㅋ``, ``ㄱ``, the middle dot ``ㆍ``) are kept as they are.
Plain NFKC would turn them into *conjoining* jamo: ``ㅋㅋ`` → U+110F U+110F (renders as broken
fragments, no longer matches a search for ``ㅋ``), ``ㄱㅏ`` → ``가`` (a different text), and
``ㆍ`` → U+119E. Half-width Hangul (U+FFA1–U+FFDC) is mapped to the compatibility jamo for the same
reason. Hangul typed in NFD (macOS file names, pasted text) is composed to NFC syllables.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_TEXT = 50_000  # a Google Sheets cell holds at most 50,000 characters


@dataclass(frozen=True)
class Parsed:
    """One parsed cell: the value to use downstream plus at most one error or warning."""

    value: str  # the normalised text to use downstream ('' when blank)
    error: str | None = None  # Korean reason + fix, without the column name
    warning: str | None = None  # Korean, same style; value still usable
    code: str = ""  # short machine code of the error/warning, e.g. "phone_short"

    @property
    def ok(self) -> bool:
        return self.error is None


def fail(code: str, message: str) -> Parsed:
    return Parsed("", error=message, code=code)


def warn(value: str, code: str, message: str) -> Parsed:
    return Parsed(value, warning=message, code=code)


# ---------------------------------------------------------------- cleaning

# bidi controls, zero-width and other invisible format characters, Hangul fillers (used to fake
# blank names), soft hyphen, and lone surrogates (they cannot be encoded as UTF-8).
_INVISIBLE = re.compile(
    "[\u200b\u200c\ufeff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2060-\u2064\u206a-\u206f"
    "\u00ad\u180e\ufff9-\ufffb\u3164\uffa0\u115f\u1160\ud800-\udfff]"
)
_ZWJ = "\u200d"
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_COMPAT_JAMO = re.compile("[\u3131-\u318e]+")
_HALFWIDTH_HANGUL = {
    cp: int(unicodedata.decomposition(chr(cp)).split()[1], 16)
    for cp in range(0xFFA1, 0xFFDD)
    if unicodedata.decomposition(chr(cp)).startswith("<narrow>")
}


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return cp >= 0x1F000 or 0x2600 <= cp <= 0x27BF or cp == 0xFE0F


def _drop_zwj(text: str) -> str:
    """Remove U+200D except between two emoji (👨‍👩‍👧 stays one family, not three people)."""
    if _ZWJ not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == _ZWJ and not (0 < i < len(text) - 1 and _is_emoji(text[i - 1]) and _is_emoji(text[i + 1])):
            continue
        out.append(ch)
    return "".join(out)


def _nfkc_keep_jamo(text: str) -> str:
    """NFKC + NFC, leaving Hangul compatibility jamo untouched (see the module docstring)."""
    if not _COMPAT_JAMO.search(text):
        return unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    pos = 0
    for m in _COMPAT_JAMO.finditer(text):
        parts.append(unicodedata.normalize("NFKD", text[pos : m.start()]))
        parts.append(m.group())
        pos = m.end()
    parts.append(unicodedata.normalize("NFKD", text[pos:]))
    return unicodedata.normalize("NFC", "".join(parts))


def _scrub(text: str) -> str:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _drop_zwj(_INVISIBLE.sub("", text.translate(_HALFWIDTH_HANGUL)))
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", text)).replace("\t", " ")


def strip_invisible(text: str) -> str:
    """Single-line text without control/bidi/zero-width characters and **without** NFKC.

    For values where a full-width character is itself the mistake to report (``＠`` in an e-mail).
    """
    return " ".join(_scrub(text).split())


def clean_text(text: str, *, multiline: bool = False) -> str:
    """Normalise one cell: NFKC (Hangul jamo kept) + NFC, no control/bidi/zero-width characters.

    Single-line (default): line breaks and tabs become spaces, runs of white space collapse to
    one space, ends stripped. ``multiline=True`` (longtext): line breaks are kept as ``\\n``
    (``\\r\\n``, ``\\r``, U+2028 … converted), trailing spaces of each line and blank lines at
    both ends removed. Never raises; a non-``str`` gives ``''`` (``None``) or ``str(value)``.
    """
    text = _nfkc_keep_jamo(_scrub(text))
    if not multiline:
        return " ".join(text.split())
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


# ---------------------------------------------------------------- messages


def _batchim(word: str) -> bool | None:
    """Does the word end in a consonant when read aloud? None when unknown (Latin, symbols)."""
    if not word:
        return None
    last = word[-1]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    if last.isascii() and last.isdigit():
        return last in "0136781"  # 영 일 삼 육 칠 팔 vs 이 사 오 구
    return None


def josa(word: str, particle: str) -> str:
    """The particle form that fits ``word``: josa('010-1234-567', '은') → '은', josa('02-123-4567', '은') → '은'.

    ``particle`` names the form after a consonant: 은 (은/는), 을 (을/를), 이 (이/가), 으로 (으로/로),
    과 (과/와); anything else (의, 에) is returned as is. Unknown endings give '은(는)' etc.
    """
    pairs = {"은": "는", "을": "를", "이": "가", "으로": "로", "과": "와"}
    if particle not in pairs:
        return particle
    has = _batchim(word)
    last = word[-1:]
    if particle == "으로" and has and (last in "178" or ("가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 == 8)):
        has = False  # ㄹ 받침 (일, 칠, 팔, 서울) takes 로
    if has is None:
        return f"{particle}({pairs[particle]})"
    return particle if has else pairs[particle]


def quote(value: str, particle: str = "은") -> str:
    """``'value'`` + the fitting particle: quote('010-1234-567') → "'010-1234-567'은".

    Values longer than 40 characters are shortened with '…'; a 주민등록번호 is masked.
    """
    shown = mask_rrn(value)
    if len(shown) > 40:
        shown = shown[:40] + "…"
    return f"'{shown}'{josa(shown, particle)}"


# ---------------------------------------------------------------- formulas, 주민등록번호


#: what a spreadsheet evaluates at the start of a cell (after NFKC: ＝ ＋ － ＠ are these too), and the
#: minus signs and dashes Excel also reads as a minus
FORMULA_START = ("=", "+", "-", "@", "−", "–", "—", "﹣")
_BULLET = re.compile(r"^[+\-−–—﹣][ \t]+(?=\S)")


def looks_like_formula(text: str) -> bool:
    """True when the cleaned cell (NFKC, leading spaces gone) starts with = + - or @ — also full-width
    or as a minus sign — so a spreadsheet would evaluate it.

    This only answers the question; ``+82 10-…`` and ``-500`` are also True here and are judged
    by their own parsers. See :func:`neutralise_formula` for text leaving the sheet (BAD_INPUTS #21).
    """
    return clean_text(text).startswith(FORMULA_START)


def neutralise_formula(text: str) -> tuple[str, str]:
    """Cleaned text for a document, an e-mail or a dashboard cell, and a note: '', 'bullet' or 'formula'.

    A sign, a space, then words (``- 벽화 그리기``) is a list item: shown as ``• 벽화 그리기``
    ('bullet'). Any other text starting with = + - @ (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``,
    ``-2+3``, ``@SUM(A1)``) is left out: ``''`` and 'formula' (the caller warns).
    """
    if not text.startswith(FORMULA_START):
        return text, ""
    m = _BULLET.match(text)
    if m:
        return "• " + text[m.end() :], "bullet"
    return "", "formula"


_D = "[0-9０-９]"
_RRN = re.compile(
    rf"(?<![0-9０-９])({_D}{{2}})({_D}{{2}})({_D}{{2}})"
    rf"(?:[ \t]?[-‐‑‒–—―−－﹣_.][ \t]?|[ \t]?)([1-8１-８]){_D}{{6}}(?![0-9０-９])"
)
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _rrn_date_ok(m: re.Match[str]) -> bool:
    month, day = int(m.group(2)), int(m.group(3))  # int() reads full-width digits too
    return 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]


def contains_rrn(text: str) -> bool:
    """Does the text hold something shaped like a 주민등록번호 (YYMMDD-Gnnnnnn, G 1–8)?

    The 6 digits must be a real month/day (Feb 29 allowed), the separator is a dash of any kind,
    an underscore or a dot (with a space either side or not), one space or nothing, and no digit may touch either end — so 13-digit runs inside longer
    numbers and 10/11-digit phone numbers do not match.
    """
    return isinstance(text, str) and any(_rrn_date_ok(m) for m in _RRN.finditer(text))


def mask_rrn(text: str) -> str:
    """Replace every 주민등록번호-like run with ``******-*******``; the rest is unchanged."""
    if not isinstance(text, str):
        return ""
    return _RRN.sub(lambda m: "******-*******" if _rrn_date_ok(m) else m.group(), text)


# ---------------------------------------------------------------- text-like types

_SHEETS_DATE = re.compile(r"\d{4}\. ?\d{1,2}\. ?\d{1,2}\.?|\d{4}-\d{2}-\d{2}")


def _text(text: str, *, multiline: bool, mismatch: bool) -> Parsed:
    value = clean_text(text, multiline=multiline)
    if len(value) > MAX_TEXT:
        return fail(
            "text_too_long",
            f"{quote(value)} {len(value):,}자로 너무 깁니다. {MAX_TEXT:,}자 이하로 줄이세요 "
            f"(예: 핵심 내용만 남기고 긴 자료는 링크로 적기)",
        )
    if contains_rrn(value):
        return warn(
            mask_rrn(value),
            "rrn",
            "주민등록번호로 보이는 숫자가 있어 ******-*******로 가렸습니다. 원본 칸에서 지우세요 "
            "(예: 생년월일만 필요하면 1990-01-01)",
        )
    if mismatch and value in ("TRUE", "FALSE"):
        return warn(
            value,
            "text_boolean",
            f"{quote(value)} 글자가 아니라 체크박스/참·거짓 값으로 바뀐 것 같습니다. "
            f"열 서식을 '일반 텍스트'로 바꾸고 원래 글자를 다시 적으세요 (예: 서식 > 숫자 > 일반 텍스트)",
        )
    if mismatch and _SHEETS_DATE.fullmatch(value):
        return warn(
            value,
            "text_date",
            f"{quote(value)} 날짜로 자동 변환된 값 같습니다. 열 서식을 '일반 텍스트'로 바꾸고 "
            f"원래 글자를 다시 적으세요 (예: 서식 > 숫자 > 일반 텍스트)",
        )
    return Parsed(value)


def parse_text(text: str) -> Parsed:
    """Single-line text (기관명, 주소 …): :func:`clean_text`, at most 50,000 characters.

    Warnings: 주민등록번호 masked (``rrn``), ``TRUE``/``FALSE`` or a Sheets-formatted date in a text
    column (``text_boolean``/``text_date``: the cell was auto-converted, BAD_INPUTS #42).
    """
    return _text(text, multiline=False, mismatch=True)


def parse_longtext(text: str) -> Parsed:
    """Multi-line text (내용, 메모): like :func:`parse_text` but line breaks are kept."""
    return _text(text, multiline=True, mismatch=False)


def parse_plain(text: str) -> Parsed:
    """Text-like ids and 시장명: cleaned single-line text, length limit and RRN masking only."""
    return _text(text, multiline=False, mismatch=False)


def parse_url(text: str) -> Parsed:
    """A link: cleaned text; a value not starting with http:// or https:// gets a warning."""
    parsed = parse_plain(text)
    if not parsed.ok or parsed.warning or not parsed.value:
        return parsed
    if not re.match(r"https?://\S", parsed.value, re.IGNORECASE):
        return warn(
            parsed.value,
            "url_scheme",
            f"{quote(parsed.value)} http:// 또는 https://로 시작하는 주소가 아닙니다. "
            f"브라우저 주소창의 전체 주소를 적으세요 (예: https://drive.google.com/…)",
        )
    return parsed
