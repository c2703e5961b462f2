"""Build the e-mail ourselves with the standard library (``email.policy.SMTP``), never with yagmail.

yagmail attaches a body string that happens to be an existing file path and derives the
Message-ID from From+To+Subject; here the body is always text, the one attachment is read from
the ``Path`` given, and every message gets its own Message-ID. Header values typed by people
(organisation names in a subject) go through :func:`header_text` first, so a newline or a bidi
control can never start a new header or reorder what the reader sees.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import re
import unicodedata
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path

from automation.clock import SEOUL
from automation.errors import MailError

POLICY = email.policy.SMTP
FALLBACK_DOMAIN = "onemarket.local"
MIME_TYPES = {
    ".pdf": ("application", "pdf"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".hwp": ("application", "x-hwp"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".txt": ("text", "plain"),
}
# Zero-width and direction marks are format characters (Cf) and so are covered by the category test;
# listed here too so the intent is visible.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_SPACES = re.compile(r"\s+")


def header_text(value: str, limit: int = 200) -> str:
    """One clean header line: NFC; controls, line breaks, bidi and zero-width characters → a space;
    runs of spaces collapsed; trimmed; cut to ``limit`` characters with "…"."""
    text = unicodedata.normalize("NFC", value)
    text = "".join(" " if _hidden(ch) else ch for ch in text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    return text


def _hidden(ch: str) -> bool:
    return ch in _INVISIBLE or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs")


LABEL_HEADER = "X-Onemarket-Notice"


def new_message_id(sender: str) -> str:
    """A fresh ``<...@sender-domain>`` (time, process and random parts: unique per call)."""
    domain = parseaddr(sender)[1].rpartition("@")[2].strip().lower()
    if not domain or not re.fullmatch(r"[a-z0-9.-]+", domain):
        domain = FALLBACK_DOMAIN
    return make_msgid(domain=domain)


def build_message(
    *,
    sender: str,
    to: str,
    cc: Sequence[str],
    subject: str,
    text: str,
    html: str,
    message_id: str,
    date: dt.datetime,
    attachment: Path | None = None,
    attachment_name: str | None = None,
    label: str = "",
) -> EmailMessage:
    """text + HTML alternatives, and at most one attachment read from ``attachment``.

    Raises MailError when an address is not a single plain address (fix the cell it came from)
    or the attachment cannot be read.
    """
    msg = EmailMessage(policy=POLICY)
    msg["From"] = _address(sender, "보내는 사람([mail] sender)")
    msg["To"] = _address(to, "받는 사람")
    if cc:
        msg["Cc"] = ", ".join(str(_address(a, "참조(cc)")) for a in cc)
    msg["Subject"] = header_text(subject)
    msg["Date"] = format_datetime(date if date.tzinfo else date.replace(tzinfo=SEOUL))
    msg["Message-ID"] = message_id
    if label:  # 'M-2026-0001 시장안내': which pair and side (the outbox file name)
        msg[LABEL_HEADER] = header_text(label, 80)
    msg.set_content(text, subtype="plain", charset="utf-8", cte=_cte(text))
    msg.add_alternative(html, subtype="html", charset="utf-8", cte=_cte(html))
    if attachment is not None:
        _attach(msg, attachment, attachment_name)
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # the stdlib adds it to every sub-part; it belongs on the message only
    return msg


def _address(value: str, what: str) -> Address:
    """Exactly one ``addr@domain`` (with an optional display name), no line breaks."""
    if any(ch in value for ch in "\r\n\0"):
        raise MailError(
            f"{what} 주소에 줄바꿈이 들어 있습니다: {value!r}. 시트의 이메일 칸을 한 줄로 고친 뒤 다시 실행하세요."
        )
    pairs = getaddresses([value])
    name, addr = pairs[0] if len(pairs) == 1 else ("", "")
    local, _, domain = addr.rpartition("@")
    if not local or not domain or not addr.isascii() or " " in addr:
        raise MailError(
            f"{what} 주소가 올바른 이메일 주소 하나가 아닙니다: {value!r}. 시트의 이메일 칸을 고친 뒤 다시 실행하세요."
        )
    return Address(display_name=header_text(name, 100), username=local, domain=domain)


def _cte(body: str) -> str:
    """7bit for short ASCII lines; base64 otherwise (Korean text, long lines): safe on any server."""
    if body.isascii() and all(len(line) <= 76 for line in body.splitlines()):
        return "7bit"
    return "base64"


def _attach(msg: EmailMessage, path: Path, name: str | None) -> None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MailError(
            f"첨부 파일을 읽을 수 없습니다: {path} ({exc.strerror or exc}). 협약서를 다시 만든 뒤 실행하세요."
        ) from exc
    filename = header_text(name or path.name, 150).replace("/", "_").replace("\\", "_") or "attachment"
    maintype, subtype = MIME_TYPES.get(
        Path(filename).suffix.lower() or path.suffix.lower(), ("application", "octet-stream")
    )
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)


def recipients(msg: EmailMessage) -> tuple[str, list[str]]:
    """The envelope: the one To address and the Cc addresses, as plain ``addr@domain``."""
    to = [addr for _, addr in getaddresses([str(v) for v in msg.get_all("To", [])]) if addr]
    cc = [addr for _, addr in getaddresses([str(v) for v in msg.get_all("Cc", [])]) if addr]
    if len(to) != 1:
        raise MailError("메일의 받는 사람(To)이 정확히 한 명이 아닙니다. build_message로 만든 메일만 보낼 수 있습니다.")
    return to[0], cc
