"""Transports: an outbox folder of .eml files, or SMTP (yagmail connects; we speak the transaction).

yagmail is used only to connect, STARTTLS/SSL and log in. The transaction is ours (MAIL, one RCPT
per address, DATA) so every failure can be told apart: nothing accepted (retry later), refused for
good, or *uncertain* — the connection broke after the message body was sent, so the server may
have it. yagmail's ``send()`` would retry that last case and deliver twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from automation.clock import SEOUL
from automation.config import MailConfig
from automation.errors import MailError
from automation.mail.message import LABEL_HEADER, recipients
from automation.mail.replies import describe, network_reason

Status = Literal["sent", "transient", "permanent", "uncertain", "not_tried"]


@dataclass(frozen=True)
class SendResult:
    status: Status
    reason: str = ""  # Korean, short, with the server code: "550 5.1.1 수신자 없음"
    refused: dict[str, str] = field(default_factory=dict)  # Cc address → reason (the message still went to To)


class Transport(Protocol):
    def connect(self) -> None:
        """Check the transport can be used now; MailError (Korean, what to fix) when it cannot."""

    def send(self, msg: EmailMessage) -> SendResult: ...

    def close(self) -> None: ...


def flatten(msg: EmailMessage) -> bytes:
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=msg.policy).flatten(msg, linesep="\r\n")
    return buffer.getvalue()


class OutboxTransport:
    """Writes ``<folder>/<YYYYmmdd-HHMMSS>_<message id>.eml`` atomically; every message is "sent"."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def connect(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.folder):
                pass
        except OSError as exc:
            raise MailError(
                f"메일 보관 폴더에 쓸 수 없습니다: {self.folder} ({exc.strerror or exc}). "
                "[mail] outbox 경로와 폴더 권한을 확인하세요."
            ) from exc

    def path_for(self, msg: EmailMessage) -> Path:
        try:
            stamp = parsedate_to_datetime(str(msg["Date"])).astimezone(SEOUL)
        except (TypeError, ValueError):
            stamp = None
        when = f"{stamp:%Y%m%d-%H%M%S}" if stamp else "00000000-000000"
        safe_id = re.sub(r"[^A-Za-z0-9._-]+", "_", str(msg.get("Message-ID", "")).strip("<> ")) or "no-id"
        label = str(msg.get(LABEL_HEADER, "") or "")
        if not label:
            return self.folder / f"{when}_{safe_id[:120]}.eml"
        # '20261129-103100_M-2026-0001_시장안내_mk1@market.example.org_3f2a9c1e.eml': the pair, the side,
        # the recipient, and the Message-ID's hash (a 재발송 in the same second gets its own file)
        to = re.sub(r"[^A-Za-z0-9@._-]+", "_", str(msg.get("To", "")).rpartition("<")[2].strip("> "))[:80]
        words = "_".join(re.sub(r"[^\w.-]+", "_", w) for w in label.split())[:60]
        digest = hashlib.sha256(safe_id.encode()).hexdigest()[:8]
        return self.folder / f"{when}_{words}_{to}_{digest}.eml"

    def send(self, msg: EmailMessage) -> SendResult:
        self.connect()
        target = self.path_for(msg)
        data = flatten(msg)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".eml.tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise MailError(
                f"메일 파일을 저장하지 못했습니다: {target} ({exc.strerror or exc}). "
                "디스크 공간과 [mail] outbox 폴더 권한을 확인하세요."
            ) from exc
        return SendResult("sent")

    def close(self) -> None:
        pass


class _Phase(Exception):
    """The connection failed before the body was sent (nothing accepted); ``stale`` when at MAIL FROM."""

    def __init__(self, reason: str, stale: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.stale = reason, stale


class SmtpTransport:
    """One SMTP connection reused across messages; reopened lazily after a drop."""

    def __init__(self, config: MailConfig) -> None:
        self.config = config
        self._yag: Any = None
        self._smtp: smtplib.SMTP | None = None
        self._context: ssl.SSLContext | None = None

    # -- connection ---------------------------------------------------------------------------
    def connect(self) -> None:
        """Open the connection now (MailError for any failure, even a server that is down)."""
        try:
            self._open()
        except _Phase as exc:
            raise MailError(
                f"메일 서버({self.config.host}:{self.config.port})에 연결할 수 없습니다: {exc.reason}. "
                "[mail] host, port 설정과 네트워크를 확인하거나 잠시 뒤 다시 실행하세요."
            ) from exc

    def _ssl_context(self) -> ssl.SSLContext:
        if self._context is None:
            cafile = self.config.cafile
            try:
                self._context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
            except (OSError, ssl.SSLError) as exc:
                raise MailError(
                    f"[mail] cafile 인증서 파일을 읽을 수 없습니다: {cafile} ({exc}). 경로와 PEM 형식을 확인하세요."
                ) from exc
        return self._context

    def _open(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        c = self.config
        password = c.password() if c.username else ""
        if c.username and not password:
            raise MailError(
                f"SMTP 비밀번호가 없습니다: 환경변수 {c.password_env}에 비밀번호를 넣거나 "
                "[mail] username/password_env 설정을 확인하세요."
            )
        extra: dict[str, Any] = {"timeout": c.timeout}
        if c.ssl:
            extra["context"] = self._ssl_context()
        starttls: bool | dict[str, Any] = {"context": self._ssl_context()} if c.starttls and not c.ssl else False
        user = c.username or parseaddr(c.sender)[1] or "onemarket"
        import yagmail  # type: ignore[import-untyped]  # here: importing it costs ~0.1 s for every command

        yag = yagmail.SMTP(
            user={user: user},
            password=password,
            host=c.host,
            port=c.port,
            smtp_ssl=c.ssl,
            smtp_starttls=starttls,
            smtp_skip_login=not c.username,
            soft_email_validation=False,
            **extra,
        )
        try:
            yag.login()
            smtp: smtplib.SMTP = yag.smtp
            smtp.ehlo_or_helo_if_needed()
        except Exception as exc:
            _quit(yag)
            raise self._connect_error(exc) from exc
        self._yag, self._smtp = yag, smtp
        return smtp

    def _connect_error(self, exc: BaseException) -> Exception:
        c = self.config
        if isinstance(exc, ssl.SSLCertVerificationError):
            return MailError(
                "메일 서버 인증서를 확인할 수 없습니다. 사설 인증서를 쓰는 서버라면 [mail] cafile에 그 인증서(PEM) "
                f"경로를 넣고, 아니면 [mail] host 이름을 확인하세요. ({exc.verify_message})"
            )
        if isinstance(exc, ssl.SSLError):
            return MailError(
                f"메일 서버와 암호화 연결을 맺지 못했습니다({exc.reason or exc}). [mail] port와 ssl/starttls 설정이 "
                "서버와 맞는지 확인하세요(465는 보통 ssl = true, 587은 starttls = true)."
            )
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return MailError(
                f"메일 서버가 로그인을 거부했습니다({exc.smtp_code}). [mail] username과 환경변수 "
                f"{c.password_env}(password_env)의 비밀번호를 확인하세요."
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError) or (
            isinstance(exc, smtplib.SMTPException) and "authentication method" in str(exc)
        ):
            return MailError(
                f"메일 서버가 이 연결에서 {'암호화(STARTTLS)' if 'STARTTLS' in str(exc) else '로그인(AUTH)'}를 "
                "지원하지 않습니다. [mail] starttls/ssl/port 설정을 서버 안내와 맞추세요."
            )
        if isinstance(exc, UnicodeEncodeError):  # smtplib sends AUTH in ASCII only
            return MailError(
                "SMTP 사용자 이름이나 비밀번호에 영문·숫자·기호가 아닌 글자가 있어 로그인할 수 없습니다. "
                f"[mail] username과 환경변수 {c.password_env}(password_env)의 값을 확인하세요."
            )
        if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPResponseException):
            return _Phase(describe(exc.smtp_code, exc.smtp_error))
        return _Phase(network_reason(exc))

    def _drop(self) -> None:
        if self._yag is not None:
            _quit(self._yag)
        self._yag, self._smtp = None, None

    def close(self) -> None:
        self._drop()

    # -- sending --------------------------------------------------------------------------------
    def send(self, msg: EmailMessage) -> SendResult:
        try:
            to, cc = recipients(msg)
            payload = flatten(msg)
        except (ValueError, UnicodeError, MailError) as exc:
            return SendResult("permanent", f"메일을 만들 수 없음: {getattr(exc, 'message', exc)}")
        sender = parseaddr(str(msg["From"]))[1] or parseaddr(self.config.sender)[1]
        for _ in range(2):  # a kept connection the server closed meanwhile: reopen once (nothing was sent)
            reused = self._smtp is not None
            try:
                return self._transaction(self._open(), sender, to, cc, payload)
            except _Phase as exc:
                self._drop()
                if not (exc.stale and reused):
                    return SendResult("transient", exc.reason)
        return SendResult("transient", "메일 서버 연결 끊김")

    def _transaction(self, smtp: smtplib.SMTP, sender: str, to: str, cc: list[str], payload: bytes) -> SendResult:
        code, reply = _command(smtp.mail, sender, stale=True)
        if code == 530:
            self._drop()
            raise MailError(
                "메일 서버가 로그인한 뒤에만 보낼 수 있다고 합니다. [mail] username과 "
                f"환경변수 {self.config.password_env}(password_env)를 설정하세요."
            )
        if code == 421:
            raise _Phase(describe(code, reply), stale=True)
        if code >= 400:
            return self._refused(smtp, code, reply)
        code, reply = _command(smtp.rcpt, to)
        if code >= 400:
            return self._refused(smtp, code, reply)
        refused: dict[str, str] = {}
        for address in cc:
            code, reply = _command(smtp.rcpt, address)
            if code >= 400:
                refused[address] = describe(code, reply)
        code, reply = _command(lambda: smtp.docmd("DATA"))
        if code != 354:
            return self._refused(smtp, code, reply)
        return self._body(smtp, payload, refused)

    def _body(self, smtp: smtplib.SMTP, payload: bytes, refused: dict[str, str]) -> SendResult:
        """After 354 the server may keep the message whatever happens next: no reply → uncertain."""
        data = re.sub(rb"(?m)^\.", b"..", payload)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        try:
            smtp.send(data + b".\r\n")
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            return SendResult("uncertain", f"본문 전송 후 {network_reason(exc)} — 수신 여부 확인 필요")
        if code // 100 == 2:
            return SendResult("sent", "", refused)
        return SendResult("transient" if code < 500 else "permanent", describe(code, reply), refused)

    def _refused(self, smtp: smtplib.SMTP, code: int, reply: bytes) -> SendResult:
        try:
            smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()
        return SendResult("transient" if code < 500 else "permanent", describe(code, reply))


def _command(call: Any, *args: Any, stale: bool = False) -> tuple[int, bytes]:
    """Run one SMTP command; a broken connection before DATA is a _Phase (nothing was accepted)."""
    try:
        code, reply = call(*args)
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise _Phase(network_reason(exc), stale=stale) from exc
    return int(code), bytes(reply)


def _quit(yag: Any) -> None:
    try:
        yag.smtp.quit()
    except (OSError, smtplib.SMTPException, AttributeError):
        with contextlib.suppress(OSError, AttributeError):
            yag.smtp.close()
    yag.is_closed = True


def open_transport(config: MailConfig) -> Transport:
    """The transport [mail] transport names; nothing is connected until ``connect()``/``send()``."""
    if config.transport == "smtp":
        return SmtpTransport(config)
    return OutboxTransport(config.outbox)
