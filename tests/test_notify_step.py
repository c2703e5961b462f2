"""`onemarket notify` against a real SMTP server (aiosmtpd on 127.0.0.1): at most once, per recipient."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from automation.mail.journal import State
from tests.pair_helpers import APP, MARKET, MATCH
from tests.step_helpers import journal_entries, mail_log, match_rows, run_step, set_match_cell, smtp_section, workbook

SECOND_APP = {**APP, "application_id": "A-2026-0002", "org_name": "경기상회", "email": "kim@gyeonggi.example.com"}
SECOND_MATCH = {**MATCH, "match_id": "M-2026-0002", "application_id": "A-2026-0002", "org_name": "경기상회"}


def _ready(tmp_path, port, *, apps=(APP,), matches=(MATCH,), **mail):
    config = workbook(tmp_path, apps=apps, matches=matches, mail=smtp_section(port, **mail))
    assert not run_step(config, "agreements").failed
    return config


def _notify(config, **kw):
    result = run_step(config, "notify", **kw)
    (report,) = result.reports
    return result, report


def _ids(server):
    return [s.message["Message-ID"] for s in server.messages]


def test_delivery_with_korean_subject_attachment_and_cc(tmp_path, smtp_server):
    config = _ready(tmp_path, smtp_server.port)
    result, report = _notify(config)
    assert not result.failed and not result.data_errors, report.message
    assert report.counts["발송"] == 2
    by_to = {s.message["To"]: s for s in smtp_server.messages}
    assert set(by_to) == {"lee@hanbit.example.com", "mot-gol@example.org"}
    org = by_to["lee@hanbit.example.com"]
    assert set(org.rcpt_tos) == {"lee@hanbit.example.com", "staff@gg.example.go.kr"}
    msg = org.message
    assert msg["Subject"] == "[경기중기청] 1社-1市場 협력 시장 매칭 안내 — 주식회사 한빛테크 · 못골시장"
    assert msg["Cc"] == "staff@gg.example.go.kr"
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "M-2026-0001_주식회사 한빛테크_못골시장.docx"
    assert attachment.get_content() == (tmp_path / "agreements" / attachment.get_filename()).read_bytes()
    row = match_rows(config)[0]
    assert row["기관안내"].startswith("발송완료 ") and row["시장안내"].startswith("발송완료 ")


def test_rerun_sends_nothing_new(tmp_path, smtp_server):
    config = _ready(tmp_path, smtp_server.port)
    _notify(config)
    _, report = _notify(config)
    assert report.counts["발송"] == 0 and "이미 처리 2" in report.message
    assert len(smtp_server.messages) == 2


def test_drop_after_data_is_one_copy_and_needs_review(tmp_path, make_smtp_server):
    server = make_smtp_server(drop_after_data=True)
    config = _ready(tmp_path, server.port)
    result, report = _notify(config)
    assert report.counts["확인필요"] == 2
    assert result.data_errors  # 확인필요 is for staff: exit code 1
    assert len(server.messages) == 2 and len(set(_ids(server))) == 2  # exactly one stored copy each
    row = match_rows(config)[0]
    assert (row["기관안내"], row["시장안내"]) == ("확인필요", "확인필요")
    _notify(config)
    assert len(server.messages) == 2  # never retried automatically


def test_crash_between_acceptance_and_journal_update_is_not_resent(tmp_path, make_smtp_server):
    """A real crash: the job is killed while the server has stored the message but not yet replied."""
    hanging = make_smtp_server(hang_after_data=30)
    config = _ready(tmp_path, hanging.port)
    proc = subprocess.Popen(
        [sys.executable, "-m", "automation", "--config", str(config.path), "notify"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not hanging.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert len(hanging.messages) == 1
    # both notices of the batch were recorded "sending" in the workbook before the first went out
    assert [e.state for e in journal_entries(config)] == [State.SENDING, State.SENDING]
    assert {match_rows(config)[0]["기관안내"], match_rows(config)[0]["시장안내"]} == {"발송중"}
    # the next run (the server is fine now) finds the interrupted batch and marks both 확인필요: it cannot
    # know which of them reached the server, so it sends neither again
    healthy = make_smtp_server()
    text = config.path.read_text(encoding="utf-8").replace(f"port = {hanging.port}", f"port = {healthy.port}")
    config.path.write_text(text, encoding="utf-8")
    from automation.config import load_config

    config = load_config(config.path)
    _, report = _notify(config)
    assert any("지난 실행이 발송 중에 멈춰" in i.message for i in report.issues)
    assert len(hanging.messages) + len(healthy.messages) == 1  # the interrupted one is not sent again
    assert report.counts["발송"] == 0
    states = {(e.match_id, e.role): e.state for e in journal_entries(config)}
    assert sorted(states.values()) == [State.REVIEW, State.REVIEW]
    # staff confirm the one that arrived and ask for the other once more: exactly one more message
    set_match_cell(
        config,
        "M-2026-0001",
        "메일요청",
        "기관 발송확인" if hanging.messages[0].message["To"].startswith("lee") else "시장 발송확인",
    )
    _notify(config)
    assert len(healthy.messages) == 0
    other = "시장 재발송" if hanging.messages[0].message["To"].startswith("lee") else "기관 재발송"
    set_match_cell(config, "M-2026-0001", "메일요청", other)
    _, report = _notify(config)
    assert report.counts["발송"] == 1 and len(healthy.messages) == 1
    assert sorted(e.state for e in journal_entries(config)) == [State.SENT, State.SENT]
    assert match_rows(config)[0]["메일요청"] == ""


def test_one_recipient_refused(tmp_path, make_smtp_server):
    server = make_smtp_server(refuse_rcpt=["mot-gol@example.org"])
    config = _ready(tmp_path, server.port)
    result, report = _notify(config)
    assert report.counts["발송"] == 1 and report.counts["실패"] == 1
    assert result.data_errors  # exit code 1: staff must look
    row = match_rows(config)[0]
    assert row["기관안내"].startswith("발송완료 ")
    assert row["시장안내"].startswith("발송실패: 550")
    _notify(config)
    assert len(server.messages) == 1  # a permanent refusal is not retried


def test_newline_in_org_name_gives_one_clean_header(tmp_path, smtp_server):
    config = _ready(tmp_path, smtp_server.port, apps=[{**APP, "org_name": "한빛\n테크\r\n(주)"}])
    result, _ = _notify(config)
    assert not result.failed
    subjects = [s.message["Subject"] for s in smtp_server.messages]
    assert all("\n" not in s and "\r" not in s for s in subjects)
    assert any("한빛 테크 (주)" in s for s in subjects)


def test_a_cell_equal_to_a_file_path_is_never_attached(tmp_path, smtp_server):
    secret = tmp_path / "service_account.json"
    secret.write_text('{"private_key": "SECRET"}', encoding="utf-8")
    config = _ready(
        tmp_path, smtp_server.port, apps=[{**APP, "special_program": str(secret), "org_name": "service_account.json"}]
    )
    _notify(config)
    for stored in smtp_server.messages:
        assert b"SECRET" not in stored.raw
        names = [a.get_filename() for a in stored.message.iter_attachments()]
        assert names == ["M-2026-0001_service_account.json_못골시장.docx"]


def test_two_notices_to_the_same_address_get_different_message_ids(tmp_path, smtp_server):
    config = _ready(tmp_path, smtp_server.port, apps=[APP, SECOND_APP], matches=[MATCH, SECOND_MATCH])
    _notify(config)
    to_market = [s.message["Message-ID"] for s in smtp_server.messages if s.message["To"] == "mot-gol@example.org"]
    assert len(to_market) == 2 and len(set(to_market)) == 2
    assert len(set(_ids(smtp_server))) == 4


@pytest.mark.parametrize(
    ("consent", "labels"),
    [
        pytest.param("N", ("동의없음", "보류: 기관 개인정보 동의 없음"), id="no-consent"),
        pytest.param("", ("동의없음", "보류: 기관 개인정보 동의 없음"), id="blank-consent"),
    ],
)
def test_no_privacy_consent_no_mail(tmp_path, smtp_server, consent, labels):
    config = _ready(tmp_path, smtp_server.port, apps=[{**APP, "privacy_consent": consent}])
    _notify(config)
    assert smtp_server.messages == []
    row = match_rows(config)[0]
    assert (row["기관안내"], row["시장안내"]) == labels


def test_market_without_third_party_consent_gets_no_contact(tmp_path, smtp_server):
    config = _ready(tmp_path, smtp_server.port, apps=[{**APP, "third_party_consent": "N"}])
    _notify(config)
    (market,) = [s for s in smtp_server.messages if s.message["To"] == "mot-gol@example.org"]
    body = market.message.get_body(("plain",)).get_content()
    assert "010-2345-6789" not in body and "lee@hanbit.example.com" not in body and "이담당" not in body
    assert "제3자 제공 동의를 받지 않아" in body


def test_dry_run_previews_and_sends_nothing(tmp_path, smtp_server):
    config = _ready(tmp_path, smtp_server.port)
    result, _report = _notify(config, dry_run=True)
    assert not result.failed
    assert smtp_server.messages == []
    assert len(list((tmp_path / "preview" / "mail").glob("*.eml"))) == 2
    assert mail_log(config) == {}  # nothing recorded in the workbook (nor on disk)
    row = match_rows(config)[0]
    assert (row["기관안내"], row["시장안내"]) == ("", "")


def test_cleared_notice_cells_are_restored_from_the_journal(tmp_path, smtp_server):
    config = _ready(tmp_path, smtp_server.port)
    _notify(config)
    sent = match_rows(config)[0]["기관안내"]
    set_match_cell(config, "M-2026-0001", "기관안내", None)
    set_match_cell(config, "M-2026-0001", "상태", "협약체결")  # no longer 확정: still mirrored
    _, report = _notify(config)
    assert match_rows(config)[0]["기관안내"] == sent
    assert "안내 칸 되살림 1" in report.message
    assert len(smtp_server.messages) == 2


def test_per_run_cap(tmp_path, smtp_server):
    config = _ready(tmp_path, smtp_server.port, max_per_run=1)
    _, report = _notify(config)
    assert report.counts["발송"] == 1 and "발송 한도(1통)" in report.message
    _, report = _notify(config)
    assert report.counts["발송"] == 1 and len(smtp_server.messages) == 2


def test_stops_after_consecutive_failures(tmp_path, make_smtp_server):
    server = make_smtp_server(
        tempfail_rcpt=["lee@hanbit.example.com", "mot-gol@example.org", "kim@gyeonggi.example.com"]
    )
    config = _ready(tmp_path, server.port, apps=[APP, SECOND_APP], matches=[MATCH, SECOND_MATCH], max_failures=2)
    _, report = _notify(config)
    assert "연속 2건 실패로 발송을 멈췄습니다" in report.message
    # the two tried failed (retried next run); the batch's other two were never tried and wait their turn
    assert sorted(e.state for e in journal_entries(config)) == [State.FAILED_TRANSIENT] * 2 + [State.PLANNED] * 2
    assert match_rows(config)[0]["기관안내"] == "재시도 예정"


def test_starttls_with_a_self_signed_certificate(tmp_path, make_smtp_server, smtp_cert):
    server = make_smtp_server(tls="starttls", auth=("onemarket", "s3cret"))
    config = _ready(
        tmp_path,
        server.port,
        starttls=True,
        username="onemarket",
        cafile=str(smtp_cert.cert_path),
        password_env="TEST_SMTP_PASSWORD",
    )
    os.environ["TEST_SMTP_PASSWORD"] = "s3cret"
    try:
        result, report = _notify(config)
    finally:
        del os.environ["TEST_SMTP_PASSWORD"]
    assert not result.failed, report.message
    assert len(server.messages) == 2


def test_no_mail_when_the_agreement_is_missing(tmp_path, smtp_server):
    config = workbook(tmp_path, mail=smtp_section(smtp_server.port))
    _, report = _notify(config)
    assert smtp_server.messages == []
    assert match_rows(config)[0]["기관안내"] == "보류: 협약서 없음"
    assert report.counts["보류"] == 2


def test_wrong_password_stops_the_step_and_leaves_nothing_in_sending(tmp_path, make_smtp_server, smtp_cert):
    server = make_smtp_server(tls="starttls", auth=("onemarket", "s3cret"))
    config = _ready(
        tmp_path,
        server.port,
        starttls=True,
        username="onemarket",
        cafile=str(smtp_cert.cert_path),
        password_env="TEST_SMTP_PASSWORD_WRONG",
    )
    result, report = _notify(config)
    assert result.failed and report.failed
    assert "password_env" in report.message or "비밀번호" in report.message, report.message
    assert server.messages == []
    assert all(e.state != State.SENDING for e in journal_entries(config))
    assert match_rows(config)[0]["기관안내"] == ""


def test_server_down_fails_the_step_and_the_next_run_sends(tmp_path, make_smtp_server):
    from tests.smtp_server import free_port

    port = free_port()
    config = _ready(tmp_path, port)
    result, report = _notify(config)
    assert result.failed and "메일 서버(127.0.0.1:" in report.message, report.message
    server = make_smtp_server()
    config.path.write_text(
        config.path.read_text(encoding="utf-8").replace(f"port = {port}", f"port = {server.port}"), encoding="utf-8"
    )
    from automation.config import load_config

    result, report = _notify(load_config(config.path))
    assert not result.failed and report.counts["발송"] == 2


def test_edits_after_the_notice_are_listed_not_resent(tmp_path, smtp_server):
    """Staff move a confirmed pair to another market and rename the organisation after the notices went."""
    from tests.step_helpers import set_app_cell

    other = {**MARKET, "market_code": "MK2", "market_name": "지동시장", "association_email": "jidong@example.org"}
    config = workbook(tmp_path, markets=[MARKET, other], mail=smtp_section(smtp_server.port))
    run_step(config, "agreements")
    _notify(config)
    set_match_cell(config, "M-2026-0001", "시장코드", "MK2")
    set_app_cell(config, "기관명", "한빛테크 주식회사")
    time.sleep(1.1)  # the journal and the manifest keep seconds
    run_step(config, "agreements")
    _, report = _notify(config)
    assert {i.code for i in report.issues} >= {"mail_recipient_changed", "agreement_changed_after_mail"}
    assert len(smtp_server.messages) == 2
