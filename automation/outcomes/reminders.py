"""Outcome reminders to markets: one per pair per period, through the same at-most-once journal.

The journal key is (매칭ID, "market", "reminder-<period>"): period 1 is the first ``remind_after_days``
after signing, period 2 the next, and so on — so each period gets at most one message, an
uncertain send becomes 확인필요 like any notice, and a dry run only writes .eml previews.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from automation.clock import now
from automation.config import Config
from automation.documents.context import FACILITATOR
from automation.domain.outcome_tabs import activity_types, outcomes_where
from automation.errors import MailError
from automation.mail.journal import Entry, MailJournal, State
from automation.mail.message import build_message, new_message_id
from automation.mail.templates import render_mail
from automation.mail.transport import OutboxTransport, SendResult, Transport, open_transport
from automation.parsers import parse_email
from automation.parsers.base import clean_text
from automation.report import ERROR, WARNING, Issue, Severity
from automation.schema import TABS
from automation.sheets.table import Row

ROLE = "market"
FIELDS = frozenset(
    {
        "association",
        "market_name",
        "org_name",
        "match_id",
        "days",
        "tab",
        "outcomes_where",
        "activity_types",
        "agency",
        "reply_to",
    }
)


@dataclass(frozen=True)
class Reminder:
    pair: Row  # the 매칭 row
    market: Row  # the 시장 row
    tab: str  # the market's tab in the outcomes file
    days: int  # days since the pair was first seen 협약체결
    period: int

    @property
    def template(self) -> str:
        return f"reminder-{self.period}"


def _issue(r: Reminder, code: str, *, message: str, severity: Severity = WARNING) -> Issue:
    return Issue(
        code=code,
        row=r.pair.number,
        column="시장안내",
        value="",
        message=f"{r.pair['match_id'].strip()}: {message}",
        severity=severity,
        tab=TABS.matches,
    )


def _context(r: Reminder, config: Config) -> dict[str, object]:
    name = clean_text(r.market["market_name"])
    return {
        "association": f"{name} 상인회",
        "market_name": name,
        "org_name": clean_text(r.pair["org_name"]),
        "match_id": r.pair["match_id"].strip(),
        "days": r.days,
        "tab": r.tab,
        "outcomes_where": outcomes_where(config),
        "activity_types": activity_types(),
        "agency": FACILITATOR,
        "reply_to": config.mail.sender,
    }


def send_reminders(
    config: Config, due: list[Reminder], journal: MailJournal | None, *, dry_run: bool
) -> tuple[int, list[Issue], str]:
    """(messages sent or previewed, issues, why sending stopped early or '')."""
    issues: list[Issue] = []
    todo = []
    for r in due:
        entry = journal.get(r.pair["match_id"].strip(), ROLE, r.template) if journal else None
        if entry is not None and journal is not None and not journal.may_send(entry):
            continue
        address = parse_email(r.market["association_email"])
        if not address.ok:
            issues.append(
                _issue(
                    r,
                    "reminder_no_address",
                    message="상인회이메일이 없거나 올바르지 않아 성과 보고 요청 메일을 보내지 못했습니다.",
                )
            )
            continue
        todo.append((r, address.value))
    if not todo:
        return 0, issues, ""
    transport: Transport = (
        OutboxTransport(config.documents.preview / "mail") if dry_run else open_transport(config.mail)
    )
    try:
        return _send_all(config, transport, journal, todo, dry_run, issues)
    finally:
        transport.close()


def _send_all(
    config: Config,
    transport: Transport,
    journal: MailJournal | None,
    todo: list[tuple[Reminder, str]],
    dry_run: bool,
    issues: list[Issue],
) -> tuple[int, list[Issue], str]:
    """In batches of ``[mail] batch``: one workbook write marks the batch ``sending`` before the
    mail server hears of it, one more records the outcomes (Google requests per batch, not per mail)."""
    sent = failures = 0
    size = max(1, config.mail.batch)
    limit = min(len(todo), config.mail.max_per_run)
    for start in range(0, limit, size):
        if failures >= config.mail.max_failures:
            return sent, issues, f"연속 {failures}건 실패로 성과 보고 요청 발송을 멈췄습니다."
        chunk = [(r, to, _message(config, r, to)) for r, to in todo[start : min(start + size, limit)]]
        if dry_run or journal is None:
            for _, _, (msg, _) in chunk:
                transport.send(msg)
            sent += len(chunk)
            continue
        entries = journal.begin_many(
            [
                (
                    r.pair["match_id"].strip(),
                    ROLE,
                    r.template,
                    to,
                    list(config.mail.cc),
                    subject,
                    str(msg["Message-ID"]),
                )
                for r, to, (msg, subject) in chunk
            ]
        )
        results: list[tuple[Entry, SendResult]] = []
        error: MailError | None = None
        for (_r, _, (msg, _)), entry in zip(chunk, entries, strict=True):
            if error is not None or failures >= config.mail.max_failures:
                results.append((entry, SendResult("not_tried")))
                continue
            try:
                result = transport.send(msg)
            except MailError as exc:  # a configuration problem found mid-way: nothing went out
                error, result = exc, SendResult("transient", "메일 설정 오류로 보내지 않음")
            failures = 0 if result.status == "sent" else failures + 1
            results.append((entry, result))
        finished = journal.finish_many(results)
        for (r, _, _), entry, (_, result) in zip(chunk, finished, results, strict=True):
            if result.status == "not_tried":
                continue
            if entry.state == State.SENT:
                sent += 1
                continue
            severity = ERROR if entry.state in (State.REVIEW, State.FAILED) else WARNING
            issues.append(
                _issue(
                    r,
                    "reminder_not_sent",
                    message=f"성과 보고 요청 메일: {entry.reason or entry.state.value}",
                    severity=severity,
                )
            )
        if error is not None:
            raise error
    if limit < len(todo):
        return sent, issues, f"이번 실행의 발송 한도({config.mail.max_per_run}통)에 닿아 멈췄습니다."
    if failures >= config.mail.max_failures:
        return sent, issues, f"연속 {failures}건 실패로 성과 보고 요청 발송을 멈췄습니다."
    return sent, issues, ""


def _message(config: Config, r: Reminder, to: str) -> tuple[EmailMessage, str]:
    rendered = render_mail("reminder_market", FIELDS, _context(r, config))
    msg = build_message(
        sender=config.mail.from_header,
        to=to,
        cc=list(config.mail.cc),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        message_id=new_message_id(config.mail.sender),
        date=now(),
        label=f"{r.pair['match_id'].strip()} 성과보고요청",
    )
    return msg, rendered.subject
