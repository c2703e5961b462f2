"""Spreadsheet backends behind one interface (:class:`automation.sheets.base.Backend`)."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

from automation.config import Config
from automation.errors import ConfigError
from automation.sheets.base import Backend, CellWrite, Dropdown, HeaderStyle, RawTab, transaction

__all__ = [
    "Backend",
    "CellWrite",
    "Dropdown",
    "HeaderStyle",
    "RawTab",
    "Workbooks",
    "open_backend",
    "open_location",
    "transaction",
]


def open_backend(config: Config, role: str, *, create: bool = False) -> Backend:
    """The backend for one of the three files (master, outcomes, dashboard).

    ``create`` lets ``init``/``demo`` make a missing .xlsx file; every other step requires it.
    """
    if role not in config.workbooks:
        raise ConfigError(f"알 수 없는 파일 역할 '{role}'입니다 (master, outcomes, dashboard).")
    return open_location(config, config.workbook_location(role), create=create)


def open_location(config: Config, location: str, *, create: bool = False) -> Backend:
    """A backend for any spreadsheet of this config's kind: an .xlsx path or a Google key."""
    if config.backend == "xlsx":
        from automation.sheets.xlsx import XlsxBackend

        return XlsxBackend(location, create=create)
    from automation.sheets.google import GoogleBackend

    return GoogleBackend.from_config(config.google, location)


class Workbooks:
    """The three files of one config — ``books.master``, ``books.outcomes``, ``books.dashboard`` —
    each opened on first use.

    As a context manager: on a clean exit every file is committed (xlsx saved once) unless
    ``save`` is False; on an exception every pending change is discarded — nothing half-written.
    :meth:`of` wraps backends that are already open (tests, the demo).
    """

    def __init__(self, config: Config | None, *, create: bool = False, save: bool = True) -> None:
        self.config = config
        self.create = create
        self.save = save
        self.opened: dict[str, Backend] = {}

    @classmethod
    def of(cls, backends: Mapping[str, Backend], *, save: bool = True) -> Workbooks:
        books = cls(None, save=save)
        books.opened.update(backends)
        return books

    def open(self, role: str) -> Backend:
        if role not in self.opened:
            if self.config is None:
                raise ConfigError(f"'{role}' 파일이 열려 있지 않습니다.")
            self.opened[role] = open_backend(self.config, role, create=self.create)
        return self.opened[role]

    @property
    def master(self) -> Backend:
        return self.open("master")

    @property
    def outcomes(self) -> Backend:
        return self.open("outcomes")

    @property
    def dashboard(self) -> Backend:
        return self.open("dashboard")

    def commit(self) -> None:
        for backend in self.opened.values():
            backend.commit()

    def discard(self) -> None:
        for backend in self.opened.values():
            backend.discard()

    def __enter__(self) -> Workbooks:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None and self.save:
            self.commit()
        else:
            self.discard()
