"""``onemarket notify`` and the 안내메일 step of ``run``: one notice per side of each 확정 pair — in a
team of several parties, one per organisation and per market naming every partner
(:mod:`automation.notify.teams`).

At most once, by construction: the journal (master's hidden ``_발송기록`` tab, keyed by 매칭ID, role
and template) records "sending" in the workbook before the SMTP call, a batch at a time; a send
whose outcome is unknown becomes 확인필요 and is never retried by the job; "sending" left by a
crashed run becomes 확인필요 at the next start. Belt and braces: a notice whose sheet cell shows
발송완료, 발송 중 or 확인필요 is never sent, whatever the journal says. Staff close a case in the
메일요청 column (:mod:`automation.notify.requests`). 기관안내/시장안내 mirror the journal (a cleared
cell is restored).
No mail for an application without 개인정보동의 = Y; the organisation's contact reaches the
market only with 제3자제공동의 = Y. ``--dry-run`` writes every message as .eml into the preview
folder and sends nothing.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.clock import now
from automation.config import Config
from automation.documents.manifest import Manifest
from automation.documents.names import path_inside
from automation.domain.outcome_tabs import outcomes_where
from automation.domain.pairs import Pair, PairSet, collect_pairs, pair_issue
from automation.domain.status import PARTNERED, Status
from automation.errors import MailError
from automation.mail.journal import Entry, MailJournal, State, label
from automation.mail.message import build_message, new_message_id
from automation.mail.transport import OutboxTransport, SendResult, Transport, open_transport
from automation.notify.notices import TEMPLATE, market_context, org_context, render_notice
from automation.notify.requests import take_requests
from automation.notify.send import Outgoing, label_write, send_batches
from automation.notify.teams import TeamNotice, covered_label, team_notices
from automation.parsers import parse_email
from automation.preview import preview_folder
from automation.report import ERROR, Issue, StepReport
from automation.schema import TABS, SchemaSet, TabSchema
from automation.sheets import Workbooks
from automation.sheets.table import Row, Table, missing_optional
from automation.sheets.writes import RowUpdate, TabWrite, write_tables
from automation.state import read_with_state

COLUMNS = {"org": "org_notice", "market": "market_notice"}
HEADERS = {"org": "기관안내", "market": "시장안내"}
WRITES = frozenset(COLUMNS.values())
NO_CONSENT = {"org": "동의없음", "market": "보류: 기관 개인정보 동의 없음"}
NO_DOCUMENT = "보류: 협약서 없음"
NO_ADDRESS = "메일없음"
#: what a 기관안내/시장안내 cell says when the notice went out or may have: never sent again by itself
SHOWN_SENT = ("발송완료", "발송중", "발송 중", "확인필요")


@dataclass
class NotifyOutcome:
    dry_run: bool = False
    sent: int = 0
    previewed: int = 0
    review: int = 0
    failed: int = 0
    transient: int = 0
    held: int = 0  # all three below
    no_address: int = 0  # 메일없음: no or a broken address
    waiting: int = 0  # 보류: the agreement is not made yet
    no_consent: int = 0  # 개인정보동의 is not Y
    already: int = 0
    covered: int = 0  # a team's other pair of the same party: its notice is the lead pair's
    restored: int = 0
    requests: int = 0
    stopped: str = ""
    preview_folder: Path | None = None
    issues: list[Issue] = field(default_factory=list)
    error: str = ""

    def summary(self) -> str:
        if self.dry_run:
            head = f"안내 메일 미리보기 {self.previewed}통 (보내지 않음) — 폴더: {self.preview_folder}"
        else:
            head = (
                f"안내 메일 발송 {self.sent}통, 이미 처리 {self.already}, 확인필요 {self.review}, "
                f"실패 {self.failed}, 재시도 예정 {self.transient}, 메일없음 {self.no_address}, "
                f"보류(협약서 없음) {self.waiting}, 동의없음 {self.no_consent}, 안내 칸 되살림 {self.restored}"
                + (f", 협약 안내에 포함 {self.covered}" if self.covered else "")
            )
        return "\n".join(x for x in (head, self.stopped, self.error) if x)

    def step_report(self) -> StepReport:
        report = StepReport("안내메일", issues=list(self.issues), message=self.summary(), failed=bool(self.error))
        report.counts.update(
            {
                "발송": self.sent,
                "확인필요": self.review,
                "실패": self.failed,
                "메일없음": self.no_address,
                "보류": self.waiting,
                "동의없음": self.no_consent,
            }
        )
        return report

    def as_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items() if k != "issues"} | {
            "issues": [i.as_dict() for i in self.issues]
        }


@dataclass
class _Ctx:
    config: Config
    journal: MailJournal | None
    transport: Transport
    manifest: Manifest
    outcome: NotifyOutcome
    outcomes_where: str
    live: bool = True  # False for --dry-run: the journal is only read
    labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (매칭ID, role) → non-journal label
    in_a_row: int = 0
    connected: bool = False
    touched: set[tuple[str, str]] = field(default_factory=set)  # journal rows written this run
    queue: list[Outgoing] = field(default_factory=list)  # built messages, sent in batches
    resend: set[tuple[str, str]] = field(default_factory=set)  # staff asked 재발송 (메일요청)
    teams: dict[str, TeamNotice] = field(default_factory=dict)  # 매칭ID → its team of several parties


def _recipient(pair: Pair, role: str) -> tuple[str, str]:
    """(address, '') or ('', Korean reason)."""
    key, column = ("email", "참여신청.이메일") if role == "org" else ("association_email", "시장.상인회이메일")
    raw = pair.app[key] if role == "org" else pair.market[key]
    if not raw.strip():
        return "", f"{column} 칸이 비어"
    parsed = parse_email(raw)
    if not parsed.ok:
        return "", f"{column} 칸의 주소가 올바르지 않아"
    return parsed.value, ""


def _attachment(pair: Pair, manifest: Manifest, folder: Path) -> Path | None:
    entry = manifest.get(pair.match_id)
    if entry is None:
        return None
    path = path_inside(folder, entry.pdf or entry.docx)  # a name from our own manifest, never from a cell
    return path if path.is_file() else None


def _preview_attachment(pair: Pair, folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    stem = glob.escape(pair.match_id)
    found = sorted(folder.glob(f"{stem}_*.pdf")) or sorted(folder.glob(f"{stem}_*.docx"))
    return found[0] if found else None


def _hold(ctx: _Ctx, pair: Pair, role: str, text: str, issue: Issue | None) -> None:
    ctx.labels[(pair.match_id, role)] = text
    ctx.outcome.held += 1
    if text == NO_ADDRESS:
        ctx.outcome.no_address += 1
    elif text == NO_DOCUMENT:
        ctx.outcome.waiting += 1
    else:
        ctx.outcome.no_consent += 1
    if issue is not None:
        ctx.outcome.issues.append(issue)


def _send_one(ctx: _Ctx, pair: Pair, role: str, to: str, attachment: Path) -> None:
    """Build the notice; a dry run writes it to the preview outbox, a real run queues it."""
    cfg = ctx.config.mail
    if role == "org":
        context, cleaned = org_context(pair, attachment.name, cfg.sender)
    else:
        context, cleaned = market_context(pair, attachment.name, cfg.sender, ctx.outcomes_where)
    ctx.outcome.issues.extend(i for i in cleaned.issues if i not in ctx.outcome.issues)
    team = ctx.teams.get(pair.match_id)
    if team is not None:  # one notice per party of a team: every partner named
        context.update({"team_id": team.team_id, "partners": team.partners[role]})
    rendered = render_notice(role, context)
    message_id = new_message_id(cfg.sender)
    try:
        msg = build_message(
            sender=cfg.from_header,
            to=to,
            cc=list(cfg.cc),
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            date=now(),
            attachment=attachment,
            label=f"{pair.match_id} {HEADERS[role]}",
        )
    except MailError as exc:  # this row's address or attachment cannot make a message
        _hold(
            ctx,
            pair,
            role,
            NO_ADDRESS,
            pair_issue(pair, "mail_unbuildable", column=HEADERS[role], message=f"{pair.match_id}: {exc.message}"),
        )
        return
    if not ctx.live or ctx.journal is None:  # dry run: the preview outbox only
        ctx.transport.send(msg)
        ctx.outcome.previewed += 1
        return
    ctx.queue.append(Outgoing(pair, role, to, tuple(cfg.cc), rendered.subject, message_id, msg))
    ctx.touched.add((pair.match_id, role))


def _count(ctx: _Ctx, pair: Pair, role: str, entry: Entry, refused: dict[str, str]) -> None:
    o = ctx.outcome
    where = f"{pair.match_id} {HEADERS[role]}"
    if entry.state == State.SENT:
        o.sent += 1
        ctx.in_a_row = 0
        for address, reason in refused.items():
            o.issues.append(
                pair_issue(
                    pair,
                    "mail_cc_refused",
                    column=HEADERS[role],
                    message=f"{where}: 참조 {address}이(가) 거부되었습니다 ({reason}).",
                    value=address,
                )
            )
        return
    ctx.in_a_row += 1
    if entry.state == State.REVIEW:
        o.review += 1
        o.issues.append(
            Issue(
                code="mail_review",
                row=pair.match.number,
                column=HEADERS[role],
                value="",
                message=f"{where}: 발송 중 연결이 끊겨 수신 여부를 알 수 없습니다 ({entry.reason}). 자동으로 다시 "
                "보내지 않습니다. 받는 쪽에 확인한 뒤 필요하면 직접 보내세요.",
                severity=ERROR,
                tab=TABS.matches,
            )
        )
    elif entry.state == State.FAILED:
        o.failed += 1
        o.issues.append(
            Issue(
                code="mail_refused",
                row=pair.match.number,
                column=HEADERS[role],
                value="",
                message=f"{where}: 메일 서버가 받지 않았습니다 ({entry.reason}). 주소를 확인하세요.",
                severity=ERROR,
                tab=TABS.matches,
            )
        )
    else:
        o.transient += 1
        o.issues.append(
            pair_issue(
                pair,
                "mail_transient",
                column=HEADERS[role],
                message=f"{where}: 일시적인 오류로 보내지 못했습니다 ({entry.reason}). 다음 실행에서 다시 보냅니다.",
            )
        )


def _changed_since(ctx: _Ctx, pair: Pair, role: str, entry: Entry) -> None:
    """A notice already went out, then staff edited the pair: list it for review, never resend by itself."""
    if entry.state != State.SENT:
        return
    to, _ = _recipient(pair, role)
    if to and to.lower() != entry.recipient.lower():
        ctx.outcome.issues.append(
            pair_issue(
                pair,
                "mail_recipient_changed",
                column=HEADERS[role],
                message=f"{pair.match_id}: {HEADERS[role]} 메일을 보낸 뒤 받는 주소(또는 시장)가 바뀌었습니다. 새 주소로는 "
                "자동으로 보내지 않습니다. 확인한 뒤 필요하면 직접 보내세요.",
            )
        )
    document = ctx.manifest.get(pair.match_id)
    if role == "org" and document is not None and document.rendered_at > entry.updated_at:
        ctx.outcome.issues.append(
            pair_issue(
                pair,
                "agreement_changed_after_mail",
                column="협약서",
                message=f"{pair.match_id}: 안내 메일을 보낸 뒤 협약서가 다시 만들어졌습니다 (신청·시장 내용 변경). 새 "
                "협약서는 자동으로 다시 보내지 않습니다. 양쪽에 알릴지 확인하세요.",
            )
        )


def _handle(ctx: _Ctx, pair: Pair, role: str) -> None:
    o = ctx.outcome
    team = ctx.teams.get(pair.match_id)
    if team is not None and team.leads[role] != pair.match_id:
        ctx.labels[(pair.match_id, role)] = covered_label(team, role)
        o.covered += 1
        return
    if not pair.consent("privacy_consent"):
        _hold(
            ctx,
            pair,
            role,
            NO_CONSENT[role],
            pair_issue(
                pair,
                "mail_no_consent",
                column="개인정보동의",
                message=f"{pair.match_id}: 개인정보동의가 Y가 아니어서 {HEADERS[role]} 메일을 보내지 "
                "않았습니다. 동의를 받으면 참여신청 탭의 개인정보동의를 Y로 고치세요.",
            )
            if role == "org"
            else None,
        )
        return
    entry = ctx.journal.get(pair.match_id, role, TEMPLATE) if ctx.journal else None
    if entry is not None and ctx.journal is not None and not ctx.journal.may_send(entry):
        o.already += 1
        _changed_since(ctx, pair, role, entry)
        return
    shown = pair.match[COLUMNS[role]].strip()
    if shown.startswith(SHOWN_SENT) and (pair.match_id, role) not in ctx.resend:
        # belt and braces: the sheet says it went out (or may have) — never send again by ourselves,
        # whatever a journal says (a journal lost, emptied or restored from an older copy)
        o.already += 1
        o.issues.append(
            pair_issue(
                pair,
                "mail_shown_sent",
                column=HEADERS[role],
                message=f"{pair.match_id}: {HEADERS[role]} 칸이 '{shown}'이라 보내지 않았습니다 (발송 기록에는 없음). "
                "정말 다시 보내야 하면 메일요청에 '재발송'을 고르세요.",
            )
        )
        return
    to, why = _recipient(pair, role)
    if not to:
        _hold(
            ctx,
            pair,
            role,
            NO_ADDRESS,
            pair_issue(
                pair,
                "mail_no_address",
                column=HEADERS[role],
                message=f"{pair.match_id}: {why} {HEADERS[role]} 메일을 보내지 않았습니다. 주소를 적으면 다음 실행에서 보냅니다.",
            ),
        )
        return
    attachment = _attachment(pair, ctx.manifest, ctx.config.documents.output)
    if attachment is None and not ctx.live:  # a dry run of `run` renders agreements into the preview folder
        attachment = _preview_attachment(pair, ctx.config.documents.preview / "agreements")
    if attachment is None:
        _hold(
            ctx,
            pair,
            role,
            NO_DOCUMENT,
            pair_issue(
                pair,
                "mail_no_document",
                column="협약서",
                message=f"{pair.match_id}: 협약서가 아직 없어 {HEADERS[role]} 메일을 보내지 않았습니다 "
                "('onemarket agreements' 뒤에 보냅니다).",
            ),
        )
        return
    _send_one(ctx, pair, role, to, attachment)


def _send_all(ctx: _Ctx, pairs: list[Pair], schema: TabSchema) -> None:
    cfg, o = ctx.config.mail, ctx.outcome
    for pair in pairs:
        for role in ("org", "market"):
            if len(ctx.queue) + o.previewed >= cfg.max_per_run > 0 or cfg.max_per_run == 0:
                o.stopped = (
                    f"이번 실행의 발송 한도({cfg.max_per_run}통)에 닿아 멈췄습니다. 나머지는 다음 실행에서 보냅니다."
                )
                break
            _handle(ctx, pair, role)
        else:
            continue
        break
    if not ctx.queue or ctx.journal is None:
        return

    def connect() -> None:
        if not ctx.connected:
            ctx.transport.connect()
            ctx.connected = True

    def counted(out: Outgoing, entry: Entry, result: SendResult) -> None:
        _count(ctx, out.pair, out.role, entry, result.refused)

    ctx.in_a_row, stopped = send_batches(
        ctx.journal,
        ctx.transport,
        ctx.queue,
        template=TEMPLATE,
        batch=cfg.batch,
        max_failures=cfg.max_failures,
        streak=0,
        labels=lambda cells: label_write(schema, COLUMNS, cells),
        counted=counted,
        connect=connect,
    )
    o.stopped = o.stopped or stopped


def _mirror(ctx: _Ctx, rows: dict[str, Row], found: PairSet) -> list[RowUpdate]:
    """기관안내/시장안내 as the journal (or this run's hold reason) says; cleared cells come back."""
    entries: dict[tuple[str, str], Entry] = {}
    if ctx.journal is not None:
        for e in ctx.journal.entries():
            if e.template == TEMPLATE:
                entries[(e.match_id, e.role)] = e
    updates = []
    for match_id, row in rows.items():
        values = {}
        for role, key in COLUMNS.items():
            entry = entries.get((match_id, role))
            want = label(entry) if entry is not None else ctx.labels.get((match_id, role))
            if want is not None and row[key].strip() != want:
                values[key] = want
                if not row[key].strip() and entry is not None and (match_id, role) not in ctx.touched:
                    ctx.outcome.restored += 1
        if values:
            updates.append(RowUpdate(values, id=match_id))
    return updates


def _staff_requests(ctx: _Ctx, journal: MailJournal, matches: Table) -> None:
    """메일요청 (발송확인, 재발송): decided, recorded and the request cells cleared in one write, before
    any mail goes out — so a request can never act twice."""
    found = take_requests(journal, matches, TEMPLATE)
    ctx.outcome.issues.extend(found.issues)
    ctx.resend = found.resend
    if found.clear or journal.pending:  # pending: an older workspace's journal, taken in — written now
        journal.flush(
            [TabWrite(matches.schema, found.clear, allow={"mail_request"}, base=matches)] if found.clear else []
        )
    ctx.outcome.requests = found.done


def notify(books: Workbooks, schemas: SchemaSet, config: Config, *, dry_run: bool = False) -> NotifyOutcome:
    master = books.master
    with_teams = not missing_optional(master, [schemas.teams])
    tables, state = read_with_state(
        master,
        schemas,
        [schemas.applications, schemas.markets, schemas.matches, *([schemas.teams] if with_teams else [])],
        dry_run=dry_run,
        legacy=config.state_dir,
        also=(TABS.mail_log,),
    )
    found = collect_pairs(tables[TABS.matches], tables[TABS.applications], tables[TABS.markets], (Status.CONFIRMED,))
    partnered = collect_pairs(tables[TABS.matches], tables[TABS.applications], tables[TABS.markets], PARTNERED)
    outcome = NotifyOutcome(dry_run=dry_run, issues=list(found.issues))
    journal = MailJournal(master, schemas, create=not dry_run, legacy=config.state_dir, table=tables.get(TABS.mail_log))
    if dry_run:
        folder = preview_folder(config.documents.preview, "mail")
        transport: Transport = OutboxTransport(folder)
        outcome.preview_folder = folder
    else:
        transport = open_transport(config.mail)
    ctx = _Ctx(config, journal, transport, Manifest(state), outcome, outcomes_where(config), live=not dry_run)
    ctx.teams = team_notices(tables[TABS.matches], tables.get(schemas.teams.name), partnered.pairs)
    try:
        if not dry_run:
            _staff_requests(ctx, journal, tables[TABS.matches])
            for stale in journal.recover_stale():
                outcome.issues.append(
                    Issue(
                        code="mail_review",
                        row=None,
                        column=HEADERS.get(stale.role, stale.role),
                        value="",
                        message=f"{stale.match_id} {HEADERS.get(stale.role, stale.role)}: 지난 실행이 발송 중에 멈춰 "
                        "수신 여부를 알 수 없습니다 (확인필요). 자동으로 다시 보내지 않습니다.",
                        severity=ERROR,
                        tab=TABS.matches,
                    )
                )
        try:
            _send_all(ctx, found.pairs, schemas.matches)
        except MailError as exc:
            outcome.error = exc.message
        if dry_run:
            return outcome
        rows = {
            r["match_id"].strip(): r
            for r in tables[TABS.matches].data_rows()
            if r["match_id"].strip() in found.statuses
        }
        written = write_tables(
            master, [TabWrite(schemas.matches, _mirror(ctx, rows, found), allow=WRITES, base=tables[TABS.matches])]
        )
        outcome.issues.extend(written.issues)
        return outcome
    finally:
        transport.close()
        if journal is not None:
            journal.close()
