"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, in a background thread.

    with SmtpServer() as server:                      # plain, no auth
        ...send to ("127.0.0.1", server.port)...
        server.messages[0].message["Subject"]         # parsed with email.policy.default

Modes (combine freely): ``tls="starttls"`` or ``"implicit"`` with a self-signed certificate
(:class:`TestCert`; trust it with ``cafile=cert.cert_path``), ``auth=("user", "password")``
(AUTH required; over plain SMTP too), ``refuse_rcpt`` (550 5.1.1 at RCPT), ``tempfail_rcpt``
(450 4.2.1 at RCPT), ``mail_reply``/``data_reply`` (a fixed reply to MAIL FROM / at the end of
DATA, e.g. ``"554 5.7.1 Rejected"``), ``greeting_421`` (421 at connect, then close),
``drop_after_data`` (store the message, then close without the final reply: exactly one stored
copy), ``hang_after_data`` (store, then say nothing for that many seconds), ``idle_timeout``
(close a connection idle that long). The options live on ``server.handler`` and may be changed
while it runs (e.g. stop dropping after the first message). ``connections`` counts client
connections.

Pytest fixtures (import them into conftest.py): ``smtp_cert`` (session-wide certificate),
``smtp_server`` (a plain server) and ``make_smtp_server`` (a factory taking the options above;
every server it starts is stopped at teardown).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
import warnings
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
TlsMode = Literal["none", "starttls", "implicit"]


@dataclass(frozen=True)
class TestCert:
    """A self-signed certificate for 127.0.0.1 and localhost (its own CA: use it as cafile)."""

    __test__ = False  # not a test class for pytest
    cert_path: Path
    key_path: Path

    @classmethod
    def create(cls, folder: Path) -> TestCert:
        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "onemarket test SMTP")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        cert_path, key_path = folder / "smtp-test-cert.pem", folder / "smtp-test-key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cls(cert_path, key_path)

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_path, self.key_path)
        return ctx


@dataclass(frozen=True)
class Stored:
    """One message the server accepted (or received before dropping the connection)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Handler:
    refuse_rcpt: frozenset[str] = frozenset()
    tempfail_rcpt: frozenset[str] = frozenset()
    mail_reply: str | None = None
    data_reply: str | None = None
    drop_after_data: bool = False
    hang_after_data: float = 0.0
    messages: list[Stored] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.refuse_rcpt:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address.lower() in self.tempfail_rcpt:
            return f"450 4.2.1 <{address}>: Mailbox temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply and not self.data_reply.startswith("2"):
            return self.data_reply
        content = envelope.original_content or b""
        with self.lock:
            self.messages.append(Stored(str(envelope.mail_from), tuple(envelope.rcpt_tos), bytes(content)))
        if self.drop_after_data and isinstance(server.transport, asyncio.Transport):
            server.transport.abort()  # no final reply: the client cannot know the message was stored
        if self.hang_after_data:
            await asyncio.sleep(self.hang_after_data)
        return self.data_reply or "250 2.0.0 Message accepted for delivery"


class _QuietSession(Session):
    """aiosmtpd itself sets the deprecated ``login_data`` on every successful AUTH: keep it quiet."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class _TestSMTP(SMTP):
    def __init__(self, handler: Any, *, greeting_421: bool, **kwargs: Any) -> None:
        with warnings.catch_warnings():  # "AUTH while not requiring TLS" is the point of that mode
            warnings.simplefilter("ignore")
            super().__init__(handler, **kwargs)
        self.greeting_421 = greeting_421

    def _create_session(self) -> Session:
        return _QuietSession(self.loop)

    async def _handle_client(self) -> None:
        with self.event_handler.lock:
            self.event_handler.connections += 1
        if not self.greeting_421:
            await super()._handle_client()
            return
        await self.push("421 4.3.2 Service not available, closing transmission channel")
        if self.transport is not None:
            self.transport.close()


class _Controller(Controller):
    def __init__(self, handler: _Handler, greeting_421: bool, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.greeting_421 = greeting_421

    def factory(self) -> SMTP:
        return _TestSMTP(self.handler, greeting_421=self.greeting_421, **self.SMTP_kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """A running aiosmtpd server (a context manager). ``messages`` lists what it stored."""

    def __init__(
        self,
        *,
        tls: TlsMode = "none",
        cert: TestCert | None = None,
        auth: tuple[str, str] | None = None,
        refuse_rcpt: Collection[str] = (),
        tempfail_rcpt: Collection[str] = (),
        mail_reply: str | None = None,
        data_reply: str | None = None,
        greeting_421: bool = False,
        drop_after_data: bool = False,
        hang_after_data: float = 0.0,
        idle_timeout: float = 300.0,
    ) -> None:
        if tls != "none" and cert is None:
            raise ValueError("a TLS mode needs cert=TestCert")
        self.tls, self.cert, self.auth = tls, cert, auth
        self.handler = _Handler(
            frozenset(a.lower() for a in refuse_rcpt),
            frozenset(a.lower() for a in tempfail_rcpt),
            mail_reply,
            data_reply,
            drop_after_data,
            hang_after_data,
        )
        self.greeting_421, self.idle_timeout = greeting_421, idle_timeout
        self.port = 0
        self.auth_attempts: list[tuple[str, bool]] = []
        self._controller: _Controller | None = None

    @property
    def messages(self) -> list[Stored]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def connections(self) -> int:
        """How many client connections the server has seen (the start-up probe not counted)."""
        with self.handler.lock:
            return max(0, self.handler.connections - 1)

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.auth is not None
        ok = (
            isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == self.auth
        )
        self.auth_attempts.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)

    def _kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "hostname": HOST,
            "server_hostname": "smtp.test",
            "ready_timeout": 5.0,
            "timeout": self.idle_timeout,
        }
        if self.tls == "implicit":
            assert self.cert is not None
            kwargs["ssl_context"] = self.cert.server_context()
        elif self.tls == "starttls":
            assert self.cert is not None
            kwargs.update(tls_context=self.cert.server_context(), require_starttls=True)
        if self.auth is not None:
            kwargs.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=self.tls != "none")
        return kwargs

    def start(self) -> SmtpServer:
        for _ in range(5):  # a free port can be taken between the probe and the bind: try another
            self.port = free_port()
            controller = _Controller(self.handler, self.greeting_421, port=self.port, **self._kwargs())
            try:
                controller.start()
            except (OSError, RuntimeError):
                continue
            self._controller = controller
            return self
        raise RuntimeError("no free port for the test SMTP server")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def smtp_cert(tmp_path_factory: pytest.TempPathFactory) -> TestCert:
    return TestCert.create(tmp_path_factory.mktemp("smtp-cert"))


@pytest.fixture
def make_smtp_server(smtp_cert: TestCert) -> Iterator[Callable[..., SmtpServer]]:
    """``make_smtp_server(tls="starttls", auth=("u", "p"), ...)`` → a started server (cert filled in)."""
    started: list[SmtpServer] = []

    def make(**options: Any) -> SmtpServer:
        if options.get("tls", "none") != "none":
            options.setdefault("cert", smtp_cert)
        server = SmtpServer(**options).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(make_smtp_server: Callable[..., SmtpServer]) -> SmtpServer:
    """A plain SMTP server (no TLS, no AUTH) that accepts everything."""
    return make_smtp_server()
