"""Cell-value parsing, part 3: dates and date-times, always in Asia/Seoul.

Accepted (BAD_INPUTS #19): spreadsheet serial numbers counted from 1899-12-30 (only 1990–2100,
``45292`` → 2024-01-01, a fraction is the time of day) · ``2024-05-02`` · ``2024.5.2`` ·
``2024. 5. 2.`` · ``2024/05/02`` · ``20240502`` · ``24.5.2`` (20xx, or 19xx when that would be
more than 20 years ahead of ``today``) · ``2024년 5월 2일`` · ``5월 2일`` (the year of ``today``) ·
an optional weekday ``(목)``/``목요일`` (checked) · a time ``10:31``, ``10:31:05``, ``오후 3:10:00``
(the Sheets ko_KR display), ``3:10 PM`` · ISO date-times with ``T`` and a zone (``Z``, ``+00:00``,
``UTC``, ``KST``), converted to Seoul time. A value without a zone is Seoul time.
Errors: ``01.05``/``5/2``/``240502`` (no year or ambiguous), impossible dates (2024-02-30),
years outside 1900–2100, serials outside 1990–2100, anything else.

Korea has used UTC+9 without daylight saving since 1988, so a fixed offset is exact for every
accepted date and needs no tz database (none ships with Python on Windows).
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from automation.parsers.base import Parsed, clean_text, fail, josa, quote, warn

KST = timezone(timedelta(hours=9), "KST")
_EPOCH = date(1899, 12, 30)
_SERIAL_MIN = (date(1990, 1, 1) - _EPOCH).days
_SERIAL_MAX = (date(2100, 12, 31) - _EPOCH).days
_WEEKDAYS = "월화수목금토일"
_EXAMPLE = "2024-05-02"

_TIME = re.compile(
    r"(?:^|[ T])(?:(?P<ap1>오전|오후|am|pm)\s*)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"(?:\s*(?P<ap2>am|pm))?\s*(?P<tz>z|utc|gmt|kst|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(r"\s*(?:\((?P<a>[월화수목금토일])(?:요일)?\)|(?P<b>[월화수목금토일])요일)$")
_SERIAL = re.compile(r"(?P<day>\d{5})(?:\.(?P<frac>\d+))?")
_YMD = re.compile(r"(?P<y>\d{4}|\d{2})\s*(?P<sep>[-./])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})\s*\.?")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_KOREAN = re.compile(r"(?:(?P<y>\d{4}|\d{2})\s*년\s*)?(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일?")
_AMBIGUOUS = re.compile(r"\d{1,2}\s*[-./]\s*\d{1,2}\s*\.?|\d{6}")


def seoul_today() -> date:
    """Today's date in Seoul (the only clock read in the parsers)."""
    return datetime.now(KST).date()


def _date_error(shown: str, y: int, m: int, d: int) -> Parsed | None:
    if not 1900 <= y <= 2100:
        return fail(
            "date_year", f"{quote(shown)} 연도({y})가 이상합니다. 연도를 네 자리로 확인해 적으세요 (예: {_EXAMPLE})"
        )
    if not 1 <= m <= 12:
        return fail("date_impossible", f"{quote(shown)} 없는 날짜입니다 ({m}월). 월은 1~12입니다 (예: {_EXAMPLE})")
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        return fail(
            "date_impossible",
            f"{quote(shown)} 없는 날짜입니다 ({y}년 {m}월은 {last}일까지). 날짜를 확인하세요 (예: {y:04d}-{m:02d}-{last:02d})",
        )
    return None


def _time_of(match: re.Match[str], shown: str) -> time | Parsed:
    hour, minute, second = int(match["h"]), int(match["mi"]), int(match["s"] or 0)
    ampm = (match["ap1"] or match["ap2"] or "").casefold()
    if ampm and match["ap1"] and match["ap2"]:
        ampm = "?"
    if ampm in ("오전", "am", "오후", "pm") and 1 <= hour <= 12:
        hour = hour % 12 + (12 if ampm in ("오후", "pm") else 0)
    elif ampm:
        hour = 99
    if hour > 23 or minute > 59 or second > 59:
        return fail(
            "time_invalid", f"{quote(shown)} 시각이 이상합니다. 24시간 형식으로 적으세요 (예: {_EXAMPLE} 14:30)"
        )
    return time(hour, minute, second)


def _moment(shown: str, today: date) -> tuple[datetime, bool] | Parsed:
    """(Seoul wall-clock datetime, had a time of day) or an error."""
    text, clock, zone = shown, None, None
    tm = _TIME.search(text)
    if tm is not None and tm.start() > 0:
        parsed_time = _time_of(tm, shown)
        if isinstance(parsed_time, Parsed):
            return parsed_time
        clock, zone = parsed_time, (tm["tz"] or "").casefold()
        text = text[: tm.start()].strip()
    weekday = None
    wm = _WEEKDAY.search(text)
    if wm is not None:
        weekday, text = wm["a"] or wm["b"], text[: wm.start()].strip()
    if clock is None and weekday is None and (sm := _SERIAL.fullmatch(text)):
        day = int(sm["day"])
        if not _SERIAL_MIN <= day <= _SERIAL_MAX:
            return fail(
                "date_serial_range",
                f"{quote(shown)} 날짜 일련번호로 보기에는 범위(1990~2100년) 밖입니다. 날짜로 적으세요 (예: {_EXAMPLE})",
            )
        seconds = round(float("0." + (sm["frac"] or "0")) * 86400)
        moment = datetime.combine(_EPOCH + timedelta(days=day), time()) + timedelta(seconds=seconds)
        return moment.replace(second=0), bool(sm["frac"] and sm["frac"].strip("0"))
    m = _YMD.fullmatch(text) or _COMPACT.fullmatch(text) or _KOREAN.fullmatch(text)
    if m is None:
        if _AMBIGUOUS.fullmatch(text):
            return fail(
                "date_ambiguous",
                f"{quote(shown)} 연도가 없거나 순서가 모호해 날짜를 정할 수 없습니다. 연-월-일로 적으세요 (예: {_EXAMPLE})",
            )
        return fail("date_invalid", f"{quote(shown)} 날짜로 읽을 수 없습니다. 연-월-일로 적으세요 (예: {_EXAMPLE})")
    y_text = m["y"]
    year = today.year if y_text is None else int(y_text)
    if y_text is not None and len(y_text) == 2:
        year = 2000 + year if 2000 + year <= today.year + 20 else 1900 + year
    month, day_of_month = int(m["m"]), int(m["d"])
    error = _date_error(shown, year, month, day_of_month)
    if error is not None:
        return error
    moment = datetime.combine(date(year, month, day_of_month), clock or time())
    if zone:
        offset = KST if zone == "kst" else UTC
        if zone[0] in "+-":
            hh, mm = int(zone[1:3]), int(zone[-2:])
            if hh > 23 or mm > 59:
                return fail(
                    "time_invalid",
                    f"{quote(shown, '의')} 시간대 표기가 이상합니다. 한국 시각으로 적으세요 (예: {_EXAMPLE} 14:30)",
                )
            sign = -1 if zone[0] == "-" else 1
            offset = timezone(sign * timedelta(hours=hh, minutes=mm))
        moment = moment.replace(tzinfo=offset).astimezone(KST).replace(tzinfo=None)
    if weekday is not None and _WEEKDAYS[moment.weekday()] != weekday:
        real = moment.date()
        return fail(
            "date_weekday",
            f"{quote(shown, '의')} 요일이 날짜와 맞지 않습니다 ({real.isoformat()}{josa(real.isoformat(), '은')} {_WEEKDAYS[real.weekday()]}요일). "
            f"날짜를 확인하세요 (예: {_EXAMPLE})",
        )
    return moment, clock is not None


def parse_date(text: str, *, today: date | None = None) -> Parsed:
    """A date → ``YYYY-MM-DD`` (Seoul). ``today`` (default: :func:`seoul_today`) fills a missing year."""
    shown = clean_text(text)
    if not shown:
        return Parsed("")
    result = _moment(shown, today or seoul_today())
    if isinstance(result, Parsed):
        return result
    return Parsed(result[0].strftime("%Y-%m-%d"))


def parse_datetime(text: str, *, today: date | None = None) -> Parsed:
    """A date and time → ``YYYY-MM-DD HH:MM`` (Seoul; seconds dropped).

    A date without a time is accepted as 00:00 with the warning ``datetime_no_time``.
    """
    shown = clean_text(text)
    if not shown:
        return Parsed("")
    result = _moment(shown, today or seoul_today())
    if isinstance(result, Parsed):
        return result
    moment, has_time = result
    value = moment.strftime("%Y-%m-%d %H:%M")
    if not has_time:
        return warn(
            value,
            "datetime_no_time",
            f"{quote(shown, '에')} 시각이 없어 00:00으로 보았습니다. 시각까지 적으세요 (예: {_EXAMPLE} 14:30)",
        )
    return Parsed(value)
