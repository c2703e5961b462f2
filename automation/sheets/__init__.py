"""Spreadsheet backends behind one interface (:class:`automation.sheets.base.Backend`)."""

from __future__ import annotations

from automation.config import Config
from automation.errors import ConfigError
from automation.sheets.base import Backend, CellWrite, Dropdown, HeaderStyle, RawTab, transaction

__all__ = ["Backend", "CellWrite", "Dropdown", "HeaderStyle", "RawTab", "open_backend", "transaction"]


def open_backend(config: Config, role: str, *, create: bool = False) -> Backend:
    """The backend for one of the three files (master, outcomes, dashboard).

    ``create`` lets ``init``/``demo`` make a missing .xlsx file; every other step requires it.
    """
    if role not in config.workbooks:
        raise ConfigError(f"알 수 없는 파일 역할 '{role}'입니다 (master, outcomes, dashboard).")
    location = config.workbook_location(role)
    if config.backend == "xlsx":
        from automation.sheets.xlsx import XlsxBackend

        return XlsxBackend(location, create=create)
    from automation.sheets.google import GoogleBackend

    return GoogleBackend.from_config(config.google, location)
