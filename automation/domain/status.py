"""매칭 상태: the one definition of the statuses a 매칭 row can have (the schema's drop-down holds the
same words; a test keeps the two equal)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SUGGESTED = "제안"  # the job's suggestion; the job may rewrite the row
    UNMATCHED = "미배정"  # the job found no market; the job may rewrite the row
    CONFIRMED = "확정"  # staff confirmed: locked, agreement and notices follow
    SIGNED = "협약체결"  # the agreement is signed: locked, the document frozen
    REFUSED = "거절"  # never suggested again
    ENDED = "종료"  # the partnership ended


#: pairs that hold a market's capacity and get an outcome tab
PARTNERED = (Status.CONFIRMED, Status.SIGNED, Status.ENDED)
#: rows the job owns and rewrites on each match run
JOB_ROWS = (Status.SUGGESTED, Status.UNMATCHED)
#: rows staff have settled on a market: never moved by the job; agreements and outcome tabs follow
LOCKED = (Status.CONFIRMED, Status.SIGNED)
#: pairs whose agreement was signed (including those that ended since)
SIGNED_ONCE = (Status.SIGNED, Status.ENDED)


class RowResult(StrEnum):
    """검증결과: what validation wrote on a row (the schema's drop-down holds the same words)."""

    OK = "정상"
    WARNING = "경고"  # usable; a person should look
    ERROR = "오류"  # left out until a person fixes it


#: rows that later steps use
USABLE = (RowResult.OK, RowResult.WARNING)
