"""What staff ask for in the 매칭 tab's 메일요청 column, to close a mail case from the sheet.

* ``기관 발송확인`` / ``시장 발송확인``: it arrived (staff checked with the recipient) — recorded as sent,
  nothing is sent; 기관안내/시장안내 then say 발송완료.
* ``기관 재발송`` / ``시장 재발송`` / ``모두 재발송``: exactly one new send with a new Message-ID — after
  확인필요, after 발송실패 once the address is fixed, or after the agreement was made again.

The job acts once: the request cell is cleared in the same write that records the decision in the
mail journal (so a crash can never make a request act twice), and the outcome shows in
기관안내/시장안내 as for any notice.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from automation.mail.journal import MailJournal
from automation.report import WARNING, Issue
from automation.schema import TABS
from automation.sheets.table import Table
from automation.sheets.writes import RowUpdate

COLUMN = "mail_request"
HEADER = "메일요청"
REQUESTS: dict[str, tuple[tuple[str, ...], str]] = {
    "기관발송확인": (("org",), "confirm"),
    "시장발송확인": (("market",), "confirm"),
    "기관재발송": (("org",), "resend"),
    "시장재발송": (("market",), "resend"),
    "모두재발송": (("org", "market"), "resend"),
}
ROLE_WORD = {"org": "기관안내", "market": "시장안내"}


@dataclass
class Requests:
    resend: set[tuple[str, str]] = field(default_factory=set)  # (매칭ID, role) staff want sent once more
    clear: list[RowUpdate] = field(default_factory=list)  # the request cells, emptied
    issues: list[Issue] = field(default_factory=list)
    done: int = 0


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def take_requests(journal: MailJournal, matches: Table, template: str) -> Requests:
    out = Requests()
    if COLUMN not in matches.header.positions:
        return out
    for row in matches.data_rows():
        raw = row[COLUMN]
        match_id = row["match_id"].strip()
        if not raw.strip() or not match_id:
            continue
        wanted = REQUESTS.get(_key(raw))
        if wanted is None:
            out.issues.append(
                Issue(
                    code="mail_request_unknown",
                    row=row.number,
                    column=HEADER,
                    value=raw,
                    message=f"{match_id}: 메일요청 '{raw}'을(를) 알 수 없습니다. 목록에서 고르세요 "
                    "(기관 발송확인, 기관 재발송, 시장 발송확인, 시장 재발송, 모두 재발송).",
                    severity=WARNING,
                    tab=TABS.matches,
                )
            )
            continue
        roles, action = wanted
        for role in roles:
            if action == "confirm":
                if journal.confirm(match_id, role, template) is None:
                    out.issues.append(
                        Issue(
                            code="mail_request_nothing",
                            row=row.number,
                            column=HEADER,
                            value=raw,
                            message=f"{match_id}: {ROLE_WORD[role]} 메일 중 확인할 것(확인필요·발송실패)이 없어 "
                            "요청을 지웠습니다.",
                            severity=WARNING,
                            tab=TABS.matches,
                        )
                    )
            else:
                journal.reopen(match_id, role, template)
                out.resend.add((match_id, role))
        out.clear.append(RowUpdate({COLUMN: ""}, id=match_id, expect={COLUMN: raw}))
        out.done += 1
    return out
