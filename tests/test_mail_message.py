"""Building the EmailMessage ourselves: clean headers, unique Message-IDs, one attachment from a Path."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path
from typing import Any

import pytest

from automation.errors import MailError
from automation.mail import build_message, header_text, new_message_id
from automation.mail.transport import flatten

SENDER = "경기중기청 <onemarket@example.go.kr>"
WHEN = dt.datetime(2026, 11, 29, 10, 31, 5)


def build(**changes: Any) -> Any:
    values: dict[str, Any] = {
        "sender": SENDER,
        "to": "홍길동 <hong@org.example.kr>",
        "cc": ["staff@example.go.kr"],
        "subject": "[1社1市場] 협약 안내",
        "text": "안녕하세요.\n협약서를 보내 드립니다.",
        "html": "<p>안녕하세요.</p>",
        "message_id": "<fixed.1@example.go.kr>",
        "date": WHEN,
    }
    values.update(changes)
    return build_message(**values)


def reparse(msg: Any) -> Any:
    return email.message_from_bytes(flatten(msg), policy=email.policy.default)


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        pytest.param("(주)한빛\n전자", 200, "(주)한빛 전자", id="newline"),
        pytest.param("(주)한빛\r\nBcc: x@y.kr", 200, "(주)한빛 Bcc: x@y.kr", id="crlf-injection"),
        pytest.param("한빛\t\t전자", 200, "한빛 전자", id="tabs"),
        pytest.param("한빛\x07\x00전자", 200, "한빛 전자", id="control-chars"),
        pytest.param("abc\u202edcba", 200, "abc dcba", id="bidi-override"),
        pytest.param("한\u200b빛\ufeff", 200, "한 빛", id="zero-width"),
        pytest.param("한빛\u2028전자", 200, "한빛 전자", id="line-separator"),
        pytest.param("한빛\u00a0\u3000전자", 200, "한빛 전자", id="odd-spaces"),
        pytest.param("\u1112\u1161\u11ab\u1107\u1175\u11be", 200, "한빛", id="nfc-jamo"),
        pytest.param("   여러   칸   공백   ", 200, "여러 칸 공백", id="collapse-and-trim"),
        pytest.param("가나다라마바사아자차", 6, "가나다라마…", id="truncate"),
        pytest.param("축하 🎉", 200, "축하 🎉", id="emoji-kept"),
        pytest.param("{{ 7*7 }} <script>", 200, "{{ 7*7 }} <script>", id="literal-markup"),
        pytest.param("", 200, "", id="empty"),
    ],
)
def test_header_text(value: str, limit: int, expected: str) -> None:
    assert header_text(value, limit) == expected


def test_message_ids_are_unique_and_use_the_sender_domain() -> None:
    ids = {new_message_id(SENDER) for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"<[^<>@\s]+@example\.go\.kr>", i) for i in ids)


@pytest.mark.parametrize(
    ("sender", "domain"),
    [
        pytest.param("onemarket@Example.GO.kr", "example.go.kr", id="plain-address"),
        pytest.param("경기중기청", "onemarket.local", id="no-address"),
        pytest.param("x@도메인.kr", "onemarket.local", id="non-ascii-domain"),
    ],
)
def test_message_id_domain(sender: str, domain: str) -> None:
    assert new_message_id(sender).endswith(f"@{domain}>")


def test_structure_text_html_and_one_attachment(tmp_path: Path) -> None:
    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    parsed = reparse(build(attachment=pdf, attachment_name="협약서_(주)한빛전자_수원 못골시장.pdf"))
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_filename() == "협약서_(주)한빛전자_수원 못골시장.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.4 test"
    # base64 text carries the canonical CRLF line ends (RFC 2045)
    assert parsed.get_body(("plain",)).get_content() == "안녕하세요.\r\n협약서를 보내 드립니다.\r\n"
    assert [p.get("MIME-Version") for p in parsed.walk()][1:] == [None] * 4
    raw = flatten(build(attachment=pdf, attachment_name="협약서.pdf"))
    assert b"filename*=utf-8''%ED%98%91%EC%95%BD%EC%84%9C.pdf" in raw  # RFC 2231


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        pytest.param("협약서.pdf", "application/pdf", id="pdf"),
        pytest.param(
            "협약서.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", id="docx"
        ),
        pytest.param("협약서.PDF", "application/pdf", id="upper-case-suffix"),
        pytest.param("협약서.bin", "application/octet-stream", id="unknown"),
    ],
)
def test_attachment_mime_type(tmp_path: Path, name: str, content_type: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"data")
    [attachment] = reparse(build(attachment=path)).iter_attachments()
    assert (attachment.get_content_type(), attachment.get_filename()) == (content_type, name)


def test_headers(tmp_path: Path) -> None:
    parsed = reparse(build(subject="[1社1市場]\n(주)한빛전자 🎉 {{ 7*7 }}"))
    assert parsed["Subject"] == "[1社1市場] (주)한빛전자 🎉 {{ 7*7 }}"
    assert parsed["Date"] == "Sun, 29 Nov 2026 10:31:05 +0900"
    assert parsed["Message-ID"] == "<fixed.1@example.go.kr>"
    assert parsed["From"].addresses[0].display_name == "경기중기청"
    assert parsed["To"] == "홍길동 <hong@org.example.kr>"
    assert parsed["Cc"] == "staff@example.go.kr"
    assert parsed.get_all("Bcc") is None
    assert b"\xea" not in flatten(build())  # every header and body is 7-bit on the wire


def test_body_text_that_is_a_file_path_stays_text(tmp_path: Path) -> None:
    secret = tmp_path / "service_account.json"
    secret.write_text("{}", encoding="utf-8")
    parsed = reparse(build(text=str(secret), html=str(secret)))
    assert list(parsed.iter_attachments()) == []
    assert parsed.get_body(("plain",)).get_content().strip() == str(secret)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"to": "hong@org.example.kr\nBcc: x@y.kr"},
            "받는 사람 주소에 줄바꿈이 들어 있습니다: 'hong@org.example.kr\\nBcc: x@y.kr'. 시트의 이메일 칸을 한 줄로 "
            "고친 뒤 다시 실행하세요.",
            id="newline-in-to",
        ),
        pytest.param(
            {"to": "a@x.kr, b@y.kr"},
            "받는 사람 주소가 올바른 이메일 주소 하나가 아닙니다: 'a@x.kr, b@y.kr'. 시트의 이메일 칸을 고친 뒤 다시 실행하세요.",
            id="two-addresses",
        ),
        pytest.param(
            {"to": "홍길동"},
            "받는 사람 주소가 올바른 이메일 주소 하나가 아닙니다: '홍길동'. 시트의 이메일 칸을 고친 뒤 다시 실행하세요.",
            id="no-address",
        ),
        pytest.param({"cc": ["staff@example"]}, None, id="cc-without-dot-is-accepted"),
        pytest.param(
            {"cc": ["스태프@example.go.kr"]},
            "참조(cc) 주소가 올바른 이메일 주소 하나가 아닙니다: '스태프@example.go.kr'. 시트의 이메일 칸을 고친 뒤 다시 실행하세요.",
            id="non-ascii-cc",
        ),
    ],
)
def test_bad_addresses(changes: dict[str, Any], expected: str | None) -> None:
    if expected is None:
        build(**changes)
        return
    with pytest.raises(MailError) as err:
        build(**changes)
    assert err.value.message == expected


def test_missing_attachment_is_a_mail_error(tmp_path: Path) -> None:
    with pytest.raises(MailError) as err:
        build(attachment=tmp_path / "없는파일.pdf")
    assert err.value.message == (
        f"첨부 파일을 읽을 수 없습니다: {tmp_path / '없는파일.pdf'} (No such file or directory). "
        "협약서를 다시 만든 뒤 실행하세요."
    )
