"""Sending the notices in batches, each recorded in the workbook before the mail server hears of it.

Per batch (``[mail] batch``, 20): one guarded write marks every message of the batch ``sending`` in
``_발송기록`` and shows 발송중 in its 기관안내/시장안내 cell (saved, for .xlsx); then the messages go out
one by one on the same connection; one more write records each outcome and its label. A crash
between the two writes leaves ``sending`` rows (확인필요 at the next run) and 발송중 cells — never a
second copy. Stops after ``max_failures`` failures in a row; a batch's untried messages go back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from automation.domain.pairs import Pair
from automation.errors import MailError
from automation.mail.journal import Entry, MailJournal, label
from automation.mail.transport import SendResult, Transport
from automation.schema import TabSchema
from automation.sheets.writes import RowUpdate, TabWrite

SENDING_LABEL = "발송중"


@dataclass(frozen=True)
class Outgoing:
    pair: Pair
    role: str
    to: str
    cc: tuple[str, ...]
    subject: str
    message_id: str
    msg: EmailMessage


def label_write(schema: TabSchema, columns: dict[str, str], cells: Sequence[tuple[str, str, str]]) -> TabWrite:
    """(매칭ID, role, text) → the 기관안내/시장안내 cells, one row update per pair."""
    by_row: dict[str, dict[str, str]] = {}
    for match_id, role, text in cells:
        by_row.setdefault(match_id, {})[columns[role]] = text
    return TabWrite(schema, [RowUpdate(v, id=k) for k, v in by_row.items()], allow=frozenset(columns.values()))


def send_batches(
    journal: MailJournal,
    transport: Transport,
    queue: Sequence[Outgoing],
    *,
    template: str,
    batch: int,
    max_failures: int,
    streak: int,
    labels: Callable[[Sequence[tuple[str, str, str]]], TabWrite],
    counted: Callable[[Outgoing, Entry, SendResult], None],
    connect: Callable[[], None],
) -> tuple[int, str]:
    """Send ``queue``; return (failures in a row at the end, why it stopped early or '')."""
    for start in range(0, len(queue), max(1, batch)):
        if streak >= max_failures:
            return (
                streak,
                f"연속 {streak}건 실패로 발송을 멈췄습니다. 메일 서버 상태를 확인하세요 (나머지는 다음 실행에서).",
            )
        chunk = queue[start : start + max(1, batch)]
        connect()  # a server that is down or refuses our login stops the step before any "sending"
        entries = journal.begin_many(
            [(o.pair.match_id, o.role, template, o.to, o.cc, o.subject, o.message_id) for o in chunk],
            extra=[labels([(o.pair.match_id, o.role, SENDING_LABEL) for o in chunk])],
        )
        results: list[tuple[Entry, SendResult]] = []
        error: MailError | None = None
        for out, entry in zip(chunk, entries, strict=True):
            if error is not None or streak >= max_failures:
                results.append((entry, SendResult("not_tried")))
                continue
            try:
                result = transport.send(out.msg)
            except MailError as exc:  # a configuration problem found mid-way (e.g. login): nothing went out
                error = exc
                result = SendResult("transient", "메일 설정 오류로 보내지 않음")
            streak = 0 if result.status == "sent" else streak + 1
            results.append((entry, result))
        finished = journal.finish_many(results, extra=[labels([(e.match_id, e.role, label(e)) for e, _ in results])])
        for out, entry, (_, result) in zip(chunk, finished, results, strict=True):
            if result.status != "not_tried":
                counted(out, entry, result)
        if error is not None:
            raise error
    if streak >= max_failures and queue:
        return (
            streak,
            f"연속 {streak}건 실패로 발송을 멈췄습니다. 메일 서버 상태를 확인하세요 (나머지는 다음 실행에서).",
        )
    return streak, ""
