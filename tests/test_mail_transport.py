"""SMTP and outbox transports against a real aiosmtpd server on 127.0.0.1 (tests/smtp_server.py)."""

from __future__ import annotations

import datetime as dt
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import smtp_server as smtp_fixtures
from smtp_server import HOST, SmtpServer, TestCert, free_port

from automation.config import MailConfig
from automation.errors import MailError
from automation.mail import (
    OutboxTransport,
    SendResult,
    SmtpTransport,
    build_message,
    new_message_id,
    open_transport,
)
from automation.mail.transport import flatten

# The fixtures of tests/smtp_server.py (also importable into conftest.py).
smtp_cert, make_smtp_server, smtp_server = (
    smtp_fixtures.smtp_cert,
    smtp_fixtures.make_smtp_server,
    smtp_fixtures.smtp_server,
)
SENDER = "경기중기청 <onemarket@example.go.kr>"
TO = "hong@org.example.kr"
CC = "staff@example.go.kr"
WHEN = dt.datetime(2026, 11, 29, 10, 31)
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PASSWORD_ENV = "ONEMARKET_TEST_SMTP_PASSWORD"


def config(server: SmtpServer | None = None, **changes: Any) -> MailConfig:
    values: dict[str, Any] = {
        "transport": "smtp",
        "sender": SENDER,
        "host": HOST,
        "port": server.port if server else free_port(),
        "starttls": False,
        "timeout": 3.0,
        "password_env": PASSWORD_ENV,
    }
    values.update(changes)
    return MailConfig(**values)


def message(
    to: str = TO,
    cc: tuple[str, ...] = (CC,),
    subject: str = "[1社1市場] 협약 안내",
    text: str = "안녕하세요.",
    attachment: Path | None = None,
    name: str | None = None,
) -> Any:
    return build_message(
        sender=SENDER,
        to=to,
        cc=cc,
        subject=subject,
        text=text,
        html=f"<p>{text}</p>",
        message_id=new_message_id(SENDER),
        date=WHEN,
        attachment=attachment,
        attachment_name=name,
    )


@pytest.fixture
def transports() -> Iterator[Callable[[MailConfig], SmtpTransport]]:
    made: list[SmtpTransport] = []

    def make(cfg: MailConfig) -> SmtpTransport:
        made.append(SmtpTransport(cfg))
        return made[-1]

    yield make
    for transport in made:
        transport.close()


# -- delivery ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        pytest.param("협약서_수원 못골시장.pdf", "application/pdf", id="pdf"),
        pytest.param(
            "협약서_한빛전자.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", id="docx"
        ),
    ],
)
def test_delivers_korean_subject_and_attachment(
    tmp_path: Path, smtp_server: SmtpServer, transports: Any, filename: str, content_type: str
) -> None:
    path = tmp_path / filename
    path.write_bytes(PDF)
    msg = message(subject="[1社1市場] (주)한빛전자 — 못골시장 협약 안내", attachment=path)
    result = transports(config(smtp_server)).send(msg)
    assert result == SendResult("sent")
    [stored] = smtp_server.messages
    assert stored.mail_from == "onemarket@example.go.kr"
    assert stored.rcpt_tos == (TO, CC)
    parsed = stored.message
    assert parsed["Subject"] == "[1社1市場] (주)한빛전자 — 못골시장 협약 안내"
    assert parsed["Message-ID"] == msg["Message-ID"]
    [part] = list(parsed.iter_attachments())
    assert (part.get_content_type(), part.get_filename(), part.get_content()) == (content_type, filename, PDF)
    assert parsed.get_body(("plain",)).get_content().strip() == "안녕하세요."  # type: ignore[union-attr]


def test_one_connection_for_many_messages_and_distinct_message_ids(smtp_server: SmtpServer, transports: Any) -> None:
    transport = transports(config(smtp_server))
    transport.connect()
    results = [transport.send(message(subject="같은 제목")) for _ in range(3)]
    assert [r.status for r in results] == ["sent"] * 3
    ids = [m.message["Message-ID"] for m in smtp_server.messages]
    assert len(set(ids)) == 3
    assert smtp_server.connections == 1


def test_reconnects_when_the_server_closed_the_idle_connection(make_smtp_server: Any, transports: Any) -> None:
    server = make_smtp_server(idle_timeout=0.2)
    transport = transports(config(server))
    assert transport.send(message()).status == "sent"
    time.sleep(0.5)  # the server hangs up the idle connection; the transport does not know yet
    assert transport.send(message()).status == "sent"
    assert (len(server.messages), server.connections) == (2, 2)


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("(주)한빛\n전자 협약 안내", id="newline"),
        pytest.param("(주)한빛\r\nBcc: evil@attacker.example", id="header-injection"),
        pytest.param("<script>alert(1)</script> 협약", id="script"),
        pytest.param("축하합니다 🎉 협약 체결", id="emoji"),
        pytest.param("{{ 7*7 }} 협약 안내", id="template-braces"),
    ],
)
def test_odd_subjects_arrive_as_one_clean_header(smtp_server: SmtpServer, transports: Any, subject: str) -> None:
    assert transports(config(smtp_server)).send(message(subject=subject)).status == "sent"
    [stored] = smtp_server.messages
    head = stored.raw.split(b"\r\n\r\n", 1)[0]
    assert len(re.findall(rb"(?mi)^subject:", head)) == 1
    assert not re.search(rb"(?mi)^bcc:", head)
    expected = " ".join(subject.split())
    assert stored.message["Subject"] == expected
    assert stored.rcpt_tos == (TO, CC)


def test_body_equal_to_an_existing_file_path_is_sent_as_text(
    tmp_path: Path, smtp_server: SmtpServer, transports: Any
) -> None:
    secret = tmp_path / "service_account.json"
    secret.write_text('{"private_key": "do not send"}', encoding="utf-8")
    assert transports(config(smtp_server)).send(message(text=str(secret))).status == "sent"
    parsed = smtp_server.messages[0].message
    assert list(parsed.iter_attachments()) == []
    assert parsed.get_body(("plain",)).get_content().strip() == str(secret)  # type: ignore[union-attr]
    assert b"do not send" not in smtp_server.messages[0].raw


# -- TLS and login ---------------------------------------------------------------------------------

CERT_PROBLEM = (
    "메일 서버 인증서를 확인할 수 없습니다. 사설 인증서를 쓰는 서버라면 [mail] cafile에 그 인증서(PEM) 경로를 넣고, "
    "아니면 [mail] host 이름을 확인하세요."
)


@pytest.mark.parametrize(
    ("tls", "settings"),
    [
        pytest.param("starttls", {"starttls": True}, id="starttls"),
        pytest.param("implicit", {"ssl": True, "starttls": True}, id="implicit-ssl"),
    ],
)
def test_tls_with_the_private_ca_trusted(
    make_smtp_server: Any, smtp_cert: TestCert, transports: Any, tls: str, settings: dict[str, Any]
) -> None:
    server = make_smtp_server(tls=tls)
    assert transports(config(server, cafile=smtp_cert.cert_path, **settings)).send(message()).status == "sent"
    assert len(server.messages) == 1


@pytest.mark.parametrize(
    ("tls", "settings"),
    [
        pytest.param("starttls", {"starttls": True}, id="starttls"),
        pytest.param("implicit", {"ssl": True}, id="implicit-ssl"),
    ],
)
def test_untrusted_certificate_is_a_mail_error_naming_cafile(
    make_smtp_server: Any, transports: Any, tls: str, settings: dict[str, Any]
) -> None:
    server = make_smtp_server(tls=tls)
    with pytest.raises(MailError) as err:
        transports(config(server, **settings)).send(message())
    assert re.fullmatch(re.escape(CERT_PROBLEM) + r" \(.+\)", err.value.message)
    assert server.messages == []


def test_login_over_starttls(
    make_smtp_server: Any, smtp_cert: TestCert, transports: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_smtp_server(tls="starttls", auth=("onemarket", "s3cret!#"))
    monkeypatch.setenv(PASSWORD_ENV, "s3cret!#")
    cfg = config(server, starttls=True, cafile=smtp_cert.cert_path, username="onemarket")
    assert transports(cfg).send(message()).status == "sent"
    assert [ok for _, ok in server.auth_attempts] == [True]


@pytest.mark.parametrize(
    ("password", "username", "expected"),
    [
        pytest.param(
            "wrong",
            "onemarket",
            "메일 서버가 로그인을 거부했습니다(535). [mail] username과 환경변수 "
            f"{PASSWORD_ENV}(password_env)의 비밀번호를 확인하세요.",
            id="wrong-password",
        ),
        pytest.param(
            "비밀번호",
            "onemarket",
            "SMTP 사용자 이름이나 비밀번호에 영문·숫자·기호가 아닌 글자가 있어 로그인할 수 "
            f"없습니다. [mail] username과 환경변수 {PASSWORD_ENV}(password_env)의 값을 확인하세요.",
            id="non-ascii-password",
        ),
        pytest.param(
            None,
            "onemarket",
            f"SMTP 비밀번호가 없습니다: 환경변수 {PASSWORD_ENV}에 비밀번호를 넣거나 "
            "[mail] username/password_env 설정을 확인하세요.",
            id="no-password",
        ),
        pytest.param(
            None,
            "",
            "메일 서버가 로그인한 뒤에만 보낼 수 있다고 합니다. [mail] username과 "
            f"환경변수 {PASSWORD_ENV}(password_env)를 설정하세요.",
            id="no-username",
        ),
    ],
)
def test_login_problems_are_mail_errors(
    make_smtp_server: Any,
    smtp_cert: TestCert,
    transports: Any,
    monkeypatch: pytest.MonkeyPatch,
    password: str | None,
    username: str,
    expected: str,
) -> None:
    server = make_smtp_server(tls="starttls", auth=("onemarket", "s3cret"))
    if password is None:
        monkeypatch.delenv(PASSWORD_ENV, raising=False)
    else:
        monkeypatch.setenv(PASSWORD_ENV, password)
    cfg = config(server, starttls=True, cafile=smtp_cert.cert_path, username=username)
    with pytest.raises(MailError) as err:
        transports(cfg).send(message())
    assert err.value.message == expected
    assert server.messages == []


def test_starttls_configured_but_not_offered(smtp_server: SmtpServer, transports: Any) -> None:
    with pytest.raises(MailError) as err:
        transports(config(smtp_server, starttls=True)).send(message())
    assert err.value.message == (
        "메일 서버가 이 연결에서 암호화(STARTTLS)를 지원하지 않습니다. "
        "[mail] starttls/ssl/port 설정을 서버 안내와 맞추세요."
    )


# -- classification --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected", "stored"),
    [
        pytest.param(
            {"refuse_rcpt": [TO]},
            SendResult("permanent", "550 5.1.1 수신자 없음 — 이메일 주소 확인"),
            0,
            id="to-550-at-rcpt",
        ),
        pytest.param(
            {"tempfail_rcpt": [TO]}, SendResult("transient", "450 4.2.1 수신함 일시 사용 불가"), 0, id="to-450-at-rcpt"
        ),
        pytest.param(
            {"refuse_rcpt": [CC]},
            SendResult("sent", "", {CC: "550 5.1.1 수신자 없음 — 이메일 주소 확인"}),
            1,
            id="cc-refused-still-sent",
        ),
        pytest.param(
            {"tempfail_rcpt": [CC]},
            SendResult("sent", "", {CC: "450 4.2.1 수신함 일시 사용 불가"}),
            1,
            id="cc-tempfail-still-sent",
        ),
        pytest.param(
            {"mail_reply": "553 5.7.1 Sender address rejected"},
            SendResult("permanent", "553 5.7.1 서버가 거부(보안 정책)"),
            0,
            id="mail-from-553",
        ),
        pytest.param(
            {"mail_reply": "451 4.3.0 Try again later"},
            SendResult("transient", "451 4.3.0 메일 서버 일시 오류"),
            0,
            id="mail-from-451",
        ),
        pytest.param(
            {"data_reply": "554 5.6.0 Message content rejected"},
            SendResult("permanent", "554 5.6.0 서버가 거부"),
            0,
            id="end-of-data-554",
        ),
        pytest.param(
            {"data_reply": "452 4.3.1 Insufficient system storage"},
            SendResult("transient", "452 4.3.1 메일 서버 저장 공간 부족"),
            0,
            id="end-of-data-452",
        ),
        pytest.param(
            {"data_reply": "550 Blocked by policy XYZ"},
            SendResult("permanent", "550 수신 거부 — 이메일 주소 확인"),
            0,
            id="end-of-data-550-no-enhanced",
        ),
        pytest.param(
            {"data_reply": "571 weird"},
            SendResult("permanent", "571 메일 서버 거부 (weird)"),
            0,
            id="unknown-code-keeps-server-words",
        ),
        pytest.param(
            {"greeting_421": True}, SendResult("transient", "421 4.3.2 메일 서버 일시 중단"), 0, id="greeting-421"
        ),
        pytest.param(
            {"drop_after_data": True},
            SendResult("uncertain", "본문 전송 후 메일 서버 연결 끊김 — 수신 여부 확인 필요"),
            1,
            id="drop-after-data",
        ),
    ],
)
def test_classification(
    make_smtp_server: Any, transports: Any, options: dict[str, Any], expected: SendResult, stored: int
) -> None:
    server = make_smtp_server(**options)
    assert transports(config(server)).send(message()) == expected
    assert len(server.messages) == stored


def test_no_reply_after_data_is_uncertain(make_smtp_server: Any, transports: Any) -> None:
    server = make_smtp_server(hang_after_data=5.0)
    result = transports(config(server, timeout=0.5)).send(message())
    assert result == SendResult("uncertain", "본문 전송 후 메일 서버 응답 없음(시간 초과) — 수신 여부 확인 필요")
    assert len(server.messages) == 1


def test_after_a_refusal_the_connection_is_still_used(make_smtp_server: Any, transports: Any) -> None:
    server = make_smtp_server(refuse_rcpt=[TO])
    transport = transports(config(server))
    assert transport.send(message()).status == "permanent"
    assert transport.send(message(to="other@org.example.kr")).status == "sent"
    assert server.connections == 1
    assert [m.rcpt_tos for m in server.messages] == [("other@org.example.kr", CC)]


def test_after_a_drop_the_next_message_reconnects(make_smtp_server: Any, transports: Any) -> None:
    server = make_smtp_server(drop_after_data=True)
    transport = transports(config(server))
    assert transport.send(message()).status == "uncertain"
    server.handler.drop_after_data = False
    assert transport.send(message()).status == "sent"
    assert (len(server.messages), server.connections) == (2, 2)


def test_nothing_listening_is_transient(transports: Any) -> None:
    transport = transports(config())
    assert transport.send(message()) == SendResult("transient", "메일 서버 연결 거부")
    with pytest.raises(MailError) as err:
        transport.connect()
    assert err.value.message == (
        f"메일 서버({HOST}:{transport.config.port})에 연결할 수 없습니다: 메일 서버 연결 거부. "
        "[mail] host, port 설정과 네트워크를 확인하거나 잠시 뒤 다시 실행하세요."
    )


def test_silent_server_times_out_as_transient(transports: Any) -> None:
    with socket.socket() as listener:  # accepts TCP (kernel backlog) but never says hello
        listener.bind((HOST, 0))
        listener.listen(1)
        cfg = config(port=listener.getsockname()[1], timeout=0.3)
        assert transports(cfg).send(message()) == SendResult("transient", "메일 서버 응답 없음(시간 초과)")


# -- outbox and factory ----------------------------------------------------------------------------


def test_outbox_writes_one_eml_per_message(tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    transport = OutboxTransport(folder)
    msg = message()
    assert transport.send(msg) == SendResult("sent")
    [written] = list(folder.iterdir())
    safe_id = re.sub(r"[^A-Za-z0-9._-]+", "_", msg["Message-ID"].strip("<>"))
    assert written.name == f"20261129-103100_{safe_id}.eml"
    assert written.read_bytes() == flatten(msg)


def test_outbox_that_cannot_be_written_is_a_mail_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    transport = OutboxTransport(blocker / "outbox")
    with pytest.raises(MailError) as err:
        transport.send(message())
    assert err.value.message == (
        f"메일 보관 폴더에 쓸 수 없습니다: {blocker / 'outbox'} (Not a directory). "
        "[mail] outbox 경로와 폴더 권한을 확인하세요."
    )


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        pytest.param("outbox", OutboxTransport, id="outbox"),
        pytest.param("smtp", SmtpTransport, id="smtp"),
    ],
)
def test_open_transport(tmp_path: Path, kind: str, cls: type) -> None:
    transport = open_transport(MailConfig(transport=kind, outbox=tmp_path / "outbox"))
    assert isinstance(transport, cls)
    transport.close()


def test_an_outbox_file_name_shows_the_pair_the_side_and_the_recipient(tmp_path: Path) -> None:
    from automation.clock import SEOUL
    from automation.mail.message import build_message

    msg = build_message(
        sender="onemarket@gg.example.go.kr",
        to="mk1@market.example.org",
        cc=[],
        subject="안내",
        text="t",
        html="<p>t</p>",
        message_id="<a1@gg.example.go.kr>",
        date=dt.datetime(2026, 11, 29, 10, 31, tzinfo=SEOUL),
        label="M-2026-0001 시장안내",
    )
    OutboxTransport(tmp_path).send(msg)
    [written] = list(tmp_path.glob("*.eml"))
    assert written.name.startswith("20261129-103100_M-2026-0001_시장안내_mk1@market.example.org_")
