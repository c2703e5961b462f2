"""One exception base with narrow subclasses.

Every message is Korean and says what to do; ``cli.py`` prints it once and maps the class to an
exit code. A bad *row* is never an exception: it is an :class:`automation.report.Issue` value.
"""

from __future__ import annotations


class OnemarketError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(OnemarketError):
    """onemarket.toml or an environment variable is missing or wrong (exit 2)."""

    exit_code = 2


class SchemaError(OnemarketError):
    """A file in sheet_schemas/ is broken (exit 2)."""

    exit_code = 2


class HeaderError(OnemarketError):
    """A tab's header row does not satisfy its schema; the step stops before any write."""

    exit_code = 2


class WorkbookError(OnemarketError):
    """A spreadsheet file cannot be read or written as asked."""


class WorkbookMissingError(WorkbookError):
    """A workbook file named in the config does not exist (the command cannot start)."""

    exit_code = 2


class WorkbookLockedError(WorkbookError):
    """The .xlsx file is open in Excel or LibreOffice (their lock file is present)."""


class TabNotFoundError(WorkbookError):
    """A tab the step needs does not exist (run ``onemarket init``)."""

    exit_code = 2


class DuplicateTabError(WorkbookError):
    """Two tabs whose titles look the same (NFD/NFC, odd spaces) for one wanted tab (exit 2)."""

    exit_code = 2


class WriteConflictError(WorkbookError):
    """A row could not be found again by its ID at write time, or the write did not verify."""


class WindowLostError(WriteConflictError):
    """A guarded write was refused as a whole: its window had been closed (a person removed the
    protection, or the job itself gave up on an earlier attempt). Nothing of it was written."""


class GoogleError(WorkbookError):
    """Google Sheets refused or did not answer."""


class GoogleAccessError(GoogleError):
    """403: the spreadsheet is not shared with the service account (exit 2)."""

    exit_code = 2


class GoogleNotFoundError(GoogleError):
    """404: no spreadsheet with that key (exit 2)."""

    exit_code = 2


class GoogleAuthError(GoogleError):
    """The service-account key is revoked, wrong or unreadable (exit 2)."""

    exit_code = 2


class GoogleUnavailableError(GoogleError):
    """429/5xx/timeouts persisted past the retry budget; nothing of the step was written."""


class RunLockedError(OnemarketError):
    """Another ``onemarket run`` holds the lock."""


class InputFileError(OnemarketError):
    """An input file given on the command line (e.g. the market CSV) cannot be used (exit 2)."""

    exit_code = 2


class TemplateError(OnemarketError):
    """An agreement or mail template is missing or uses a field the job does not supply (exit 2)."""

    exit_code = 2


class DocumentError(OnemarketError):
    """An agreement document cannot be written (output folder, file name, converter)."""


class MailError(OnemarketError):
    """The mail transport cannot be used at all (login refused, TLS failure, outbox not writable)."""


class UsageError(OnemarketError):
    """A command-line value cannot be used (exit 2)."""

    exit_code = 2
