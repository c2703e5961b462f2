"""The one clock: every date and time the product writes or compares is Seoul time (Asia/Seoul)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def now() -> dt.datetime:
    """Now, in Seoul."""
    return dt.datetime.now(SEOUL)


def today() -> dt.date:
    return now().date()
