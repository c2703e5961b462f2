"""Notices per team on real .xlsx files and the outbox: each organisation and each market of a team of
several parties gets one notice naming all its partners (contacts only under 제3자제공동의), with the
team's agreement attached — at most once, also after the pairs were grouped."""

from __future__ import annotations

import email
from email import policy

from tests.step_helpers import match_rows, run_step, workbook
from tests.test_teams_step import markets, orgs, pair


def _mails(tmp_path) -> list[email.message.EmailMessage]:
    out = []
    for path in sorted((tmp_path / "outbox").glob("*.eml")):
        out.append(email.message_from_bytes(path.read_bytes(), policy=policy.default))
    return out


def _text(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def _attachments(msg) -> list[str]:
    return [part.get_filename() for part in msg.iter_attachments()]


def _team(tmp_path, apps, n_markets, pairs):
    rows = [pair(k, o, m, team="공동") for k, (o, m) in enumerate(pairs, start=1)]
    config = workbook(tmp_path, apps=apps, markets=markets(n_markets), matches=rows)
    for step in ("teams", "agreements", "notify"):
        run_step(config, step)
    return config


def test_one_company_with_three_markets_gets_one_notice_naming_them_all(tmp_path):
    config = _team(tmp_path, orgs(1), 3, [(1, 1), (1, 2), (1, 3)])
    mails = _mails(tmp_path)
    to_org = [m for m in mails if m["To"] == "lee@hanbit.example.com"]
    assert len(to_org) == 1 and len(mails) == 1 + 3
    body = _text(to_org[0])
    assert "  협약 번호: 공동 (여러 기관·시장이 함께 맺는 협약입니다)" in body
    assert all(f"    - 시장 시장{i} (" in body for i in (1, 2, 3))
    assert _attachments(to_org[0]) == ["공동_기관1 – 시장1·시장2·시장3 협약_1사-3시장.docx"]
    labels = [r["기관안내"] for r in match_rows(config)]
    assert labels[0].startswith("발송완료 ")
    assert labels[1:] == ["협약 공동 안내에 포함 (M-2026-0001)"] * 2
    assert all(r["시장안내"].startswith("발송완료 ") for r in match_rows(config))
    market_two = next(m for m in mails if m["To"] == "m2@x.org")
    assert "    - 기관 기관1 (" in _text(market_two) and "    - 시장 시장1 (" in _text(market_two)
    # nothing twice: a second run sends nothing
    run_step(config, "notify")
    assert len(_mails(tmp_path)) == 4


def test_a_market_sees_each_bodys_contact_only_with_its_consent(tmp_path):
    apps = orgs(3)
    apps[1] = {**apps[1], "third_party_consent": "N", "email": "two@body.example.com", "phone": "010-2222-3333"}
    apps[2] = {**apps[2], "email": "three@body.example.com", "phone": "010-4444-5555"}
    _team(tmp_path, apps, 1, [(1, 1), (2, 1), (3, 1)])
    mails = _mails(tmp_path)
    to_market = [m for m in mails if m["To"] == "m1@x.org"]
    assert len(to_market) == 1 and len(mails) == 3 + 1
    body = _text(to_market[0])
    assert "    - 기관 기관2\r\n" in body  # no consent: the name only
    assert "010-2222-3333" not in body and "two@body.example.com" not in body
    assert "    - 기관 기관3 (이담당 과장 · 010-4444-5555 · three@body.example.com)" in body


def test_pairs_grouped_after_their_notices_went_out_are_not_sent_again(tmp_path):
    rows = [pair(1, 1, 1), pair(2, 1, 2)]
    config = workbook(tmp_path, apps=orgs(1), markets=markets(2), matches=rows)
    for step in ("teams", "agreements", "notify"):
        run_step(config, step)
    assert len(_mails(tmp_path)) == 4  # two one-pair teams: both sides of each
    from tests.step_helpers import set_match_cell

    set_match_cell(config, "M-2026-0002", "협약ID", match_rows(config)[0]["협약ID"])
    for step in ("teams", "agreements", "notify"):
        run_step(config, step)
    assert len(_mails(tmp_path)) == 4
