"""The notice templates: fields checked against what the job supplies, escaping, golden bodies."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2.meta
import pytest

from automation.errors import TemplateError
from automation.mail.templates import _env, mail_template_dir
from automation.notify.notices import MAIL_FIELDS, ROLES, market_context, org_context, render_notice
from tests.pair_helpers import one_pair

GOLDEN = Path(__file__).parent / "golden"
WHERE = "경기중기청 담당자가 따로 보내 드리는 성과보고 파일"


def _variables(name: str) -> set[str]:
    folder = mail_template_dir()
    env = _env(folder)
    found = set()
    for template in (name, "_layout.html.j2"):
        source = (folder / template).read_text(encoding="utf-8")
        found |= jinja2.meta.find_undeclared_variables(env.parse(source))
    return found - {"subject"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["subject", "txt", "html"])
def test_every_template_field_is_supplied(role, kind):
    used = _variables(f"notice_{role}.{kind}.j2")
    assert used <= MAIL_FIELDS[role], used - MAIL_FIELDS[role]


@pytest.mark.parametrize("role", ROLES)
def test_contexts_supply_exactly_the_declared_fields(role):
    pair = one_pair()
    context = (
        org_context(pair, "a.pdf", "staff@example.go.kr")[0]
        if role == "org"
        else market_context(pair, "a.pdf", "staff@example.go.kr", WHERE)[0]
    )
    assert set(context) == MAIL_FIELDS[role]


def test_a_missing_field_is_a_template_error_not_a_blank():
    with pytest.raises(TemplateError, match="작업이 채울 수 없는 필드"):
        render_notice("org", {"org_name": "x"})


def _render(role, **app_changes):
    pair = one_pair(app_changes)
    if role == "org":
        context, _ = org_context(pair, "M-2026-0001_주식회사 한빛테크_못골시장.pdf", "onemarket@example.go.kr")
    else:
        context, _ = market_context(
            pair, "M-2026-0001_주식회사 한빛테크_못골시장.pdf", "onemarket@example.go.kr", WHERE
        )
    return render_notice(role, context)


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "<link rel=stylesheet href=http://x/y.css>"])
def test_html_is_escaped(name):
    rendered = _render("org", org_name=name)
    assert "<script>" not in rendered.html and "<link" not in rendered.html
    assert "&lt;" in rendered.html
    assert name in rendered.text  # plain text keeps what was typed


def test_jinja_braces_in_a_cell_stay_literal():
    rendered = _render("market", org_name="{{ 7*7 }}상사")
    assert "{{ 7*7 }}상사" in rendered.text and "49" not in rendered.text
    assert "{{ 7*7 }}상사" in rendered.subject


def test_newline_in_org_name_gives_a_one_line_subject():
    rendered = _render("org", org_name="한빛\n테크")
    assert "\n" not in rendered.subject and "한빛 테크" in rendered.subject


@pytest.mark.parametrize(("consent", "shown"), [("Y", True), ("N", False), ("", False), ("O", True)])
def test_market_gets_the_contact_only_with_third_party_consent(consent, shown):
    rendered = _render("market", third_party_consent=consent)
    for text in (rendered.text, rendered.html):
        assert ("010-2345-6789" in text) is shown
        assert ("lee@hanbit.example.com" in text) is shown
        assert ("이담당" in text) is shown
        assert ("제3자 제공 동의를 받지 않아" in text) is (not shown)


def test_market_notice_says_where_to_report_outcomes():
    text = _render("market").text
    assert "성과 보고 — 어디에, 어떻게" in text and WHERE in text and "M-2026-0001" in text


@pytest.mark.parametrize(("role", "kind"), [(r, k) for r in ROLES for k in ("txt", "html")])
def test_golden_bodies(role, kind):
    rendered = _render(role)
    body = rendered.text if kind == "txt" else rendered.html
    golden = GOLDEN / f"notice_{role}.{kind}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(f"Subject: {rendered.subject}\n\n{body}", encoding="utf-8")
    assert f"Subject: {rendered.subject}\n\n{body}" == golden.read_text(encoding="utf-8")


def test_every_cell_the_documents_and_notices_read_is_a_schema_column():
    """A renamed schema key must not turn into a silently blank field in agreements or mail."""
    import re

    from automation.schema import default_schemas

    schemas = default_schemas()
    keys = {
        "app": {c.key for c in schemas["참여신청"].columns},
        "market": {c.key for c in schemas["시장"].columns},
        "match": {c.key for c in schemas["매칭"].columns},
    }
    root = Path(__file__).resolve().parent.parent / "automation"
    sources = [
        root / "documents" / "context.py",
        root / "notify" / "notices.py",
        root / "notify" / "step.py",
        root / "domain" / "pairs.py",
    ]
    found = 0
    for source in sources:
        text = source.read_text(encoding="utf-8")
        for row, key in re.findall(r'c\.text\("(app|market|match)", "(\w+)"', text):
            assert key in keys[row], f"{source.name}: {row}.{key}"
            found += 1
        for row, key in re.findall(r'\b(?:pair\.)?(app|market|match)\["(\w+)"\]', text):
            assert key in keys[row], f"{source.name}: {row}[{key}]"
            found += 1
    assert found >= 25
