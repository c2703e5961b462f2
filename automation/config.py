"""onemarket.toml → typed, validated settings (DESIGN.md §4).

Relative paths are relative to the folder that holds the config file. Secrets never come from the
TOML: the SMTP password is read from the environment variable named by ``password_env`` and the
service-account key from a file (``[google] credentials`` or ``ONEMARKET_GOOGLE_CREDENTIALS``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automation.errors import ConfigError
from automation.preview import check_preview

DEFAULT_CONFIG_NAME = "onemarket.toml"
DEFAULT_ENDPOINT = "https://sheets.googleapis.com"
ROLES = ("master", "outcomes", "dashboard")

_KNOWN: dict[str, dict[str, type | tuple[type, ...]]] = {
    "workbook": {"backend": str, "master": str, "outcomes": str, "dashboard": str},
    "google": {
        "credentials": str,
        "endpoint": str,
        "timeout": (int, float),
        "max_attempts": int,
        "deadline": (int, float),
    },
    "mail": {
        "transport": str,
        "outbox": str,
        "sender": str,
        "sender_name": str,
        "cc": list,
        "host": str,
        "port": int,
        "starttls": bool,
        "ssl": bool,
        "username": str,
        "password_env": str,
        "cafile": str,
        "timeout": (int, float),
        "max_per_run": int,
        "max_failures": int,
        "batch": int,
    },
    "documents": {
        "output": str,
        "template": str,
        "team_template": str,
        "pdf": str,
        "soffice": str,
        "preview": str,
        "period_months": int,
    },
    "outcomes": {"remind_after_days": int, "editors": list},
    "matching": {"priority": str},
    "dashboard": {"since": (str, dt.date), "until": (str, dt.date), "idle_days": int},
    "press": {"department": str, "officer": str, "phone": str, "head": str, "apply": str},
    "intake": {"inbox": str, "move": bool, "responses": str, "responses_workbook": str},
    "run": {"lock": str, "state_dir": str, "lock_ttl": (int, float)},
}


@dataclass(frozen=True)
class GoogleConfig:
    credentials: Path | None
    endpoint: str = DEFAULT_ENDPOINT
    timeout: float = 30.0
    max_attempts: int = 6
    deadline: float = 120.0


@dataclass(frozen=True)
class MailConfig:
    transport: str = "outbox"
    outbox: Path = Path("outbox")
    sender: str = "onemarket@example.go.kr"
    sender_name: str = "경기지방중소벤처기업청 1사1시장"  # the From header's display name

    @property
    def from_header(self) -> str:
        """``경기지방중소벤처기업청 1사1시장 <onemarket@…>`` (no name when ``sender_name`` is empty)."""
        name = self.sender_name.replace('"', "").replace("\\", "").strip()
        return f'"{name}" <{self.sender}>' if name else self.sender

    cc: tuple[str, ...] = ()
    host: str = "localhost"
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    username: str = ""
    password_env: str = "ONEMARKET_SMTP_PASSWORD"
    cafile: Path | None = None  # a private CA to trust (self-signed mail servers)
    timeout: float = 30.0
    max_per_run: int = 200  # cap on messages sent in one run
    max_failures: int = 3  # stop sending after this many failures in a row
    batch: int = 20  # messages recorded "sending" in the workbook per write

    def password(self) -> str:
        """The SMTP password from the environment (never from the TOML)."""
        return os.environ.get(self.password_env, "")


@dataclass(frozen=True)
class DocumentsConfig:
    output: Path
    template: Path | None = None  # None: the packaged templates/agreement.docx
    team_template: Path | None = None  # None: the packaged templates/agreement_team.docx
    pdf: str = "auto"  # auto (PDF when LibreOffice is found), always, never
    soffice: str = ""  # path to soffice/libreoffice; empty: search PATH and usual places
    preview: Path = Path("preview")  # --dry-run output
    period_months: int = 12


@dataclass(frozen=True)
class OutcomesConfig:
    remind_after_days: int = 30  # a market with no outcome row this long after signing gets a reminder
    editors: tuple[str, ...] = ()  # staff who may edit every market tab (Google protection)


PRIORITY_WORDS = {"coverage": "매칭 기관 수 우선", "wishes": "1·2지망 우선"}


@dataclass(frozen=True)
class MatchingConfig:
    #: "coverage": organisations matched first; "wishes": 1st, then 2nd choices first (docs/matching.md)
    priority: str = "coverage"


@dataclass(frozen=True)
class DashboardConfig:
    #: the period whose 성과 rows count in activity figures (None: from the first / to the last)
    since: dt.date | None = None
    until: dt.date | None = None
    #: a signed team with no activity for this many days is listed for follow-up (후속관리)
    idle_days: int = 60


@dataclass(frozen=True)
class PressConfig:
    """The 보도자료's 담당 부서·담당자·연락처 table and fixed lines (the agency's own, not personal data
    from any workbook); blanks print as marked placeholders for staff to fill in."""

    department: str = ""  # 담당 부서 (e.g. 경기지방중소벤처기업청 지역혁신정책과)
    officer: str = ""  # 담당자 (직급 이름)
    phone: str = ""  # 연락처 (the office line)
    head: str = ""  # 청장 이름 (the quote's speaker)
    apply: str = ""  # how to apply (a web address or a sentence)


@dataclass(frozen=True)
class IntakeConfig:
    #: a folder of filled 신청서 that ``run`` imports first (None: ``run`` imports nothing)
    inbox: Path | None = None
    #: move each file into 처리완료/ or 확인필요/ beside it after ``run`` imports the folder
    move: bool = True
    #: a Google Forms responses tab that ``run`` (and ``import-forms``) reads too: in master, or in
    #: ``responses_workbook`` (the form's own spreadsheet: a Google key / URL, or an .xlsx path)
    responses: str = ""
    responses_workbook: str = ""


@dataclass(frozen=True)
class Config:
    path: Path
    backend: str
    workbooks: dict[str, str]
    google: GoogleConfig
    mail: MailConfig
    documents: DocumentsConfig
    outcomes: OutcomesConfig
    lock_path: Path
    state_dir: Path
    matching: MatchingConfig = MatchingConfig()
    intake: IntakeConfig = IntakeConfig()
    dashboard: DashboardConfig = DashboardConfig()
    press: PressConfig = PressConfig()
    #: ``[run] lock`` was set in the file (else the .xlsx lock sits beside the master workbook)
    lock_explicit: bool = False
    #: seconds a Google run lock stays valid without renewal (a crashed holder's lock expires)
    lock_ttl: float = 600.0

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def workbook_location(self, role: str) -> str:
        """The xlsx path (absolute) or the Google spreadsheet key for ``role``."""
        return self.workbooks[role]


def find_config(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"설정 파일을 찾을 수 없습니다: {path}. 경로를 확인하거나 "
                "'onemarket demo'로 예시 설정(onemarket.toml)을 만들어 보세요."
            )
        return path.resolve()
    env = os.environ.get("ONEMARKET_CONFIG")
    if env:
        return find_config(env)
    path = (cwd or Path.cwd()) / DEFAULT_CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            f"현재 폴더에 {DEFAULT_CONFIG_NAME}이(가) 없습니다. '--config 경로'로 지정하거나 "
            "'onemarket demo'로 예시 폴더를 만든 뒤 그 폴더에서 실행하세요."
        )
    return path.resolve()


def load_config(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Config:
    path = find_config(explicit, cwd)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"설정 파일 {path.name}의 TOML 문법이 잘못되었습니다: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"설정 파일 {path}을(를) 읽을 수 없습니다: {exc}") from exc
    return parse_config(data, path)


def _check_keys(data: dict[str, Any], path: Path) -> None:
    for secret in ("password", "private_key", "token"):
        for body in data.values():
            if isinstance(body, dict) and secret in body:
                raise ConfigError(
                    f"{path.name}: 비밀값 '{secret}'은(는) TOML에 적지 마세요. 비밀번호는 password_env가 가리키는 환경 변수로, 키는 파일로 주세요."
                )
    for section, body in data.items():
        if section not in _KNOWN:
            hint = _suggest(section, list(_KNOWN))
            raise ConfigError(f"{path.name}: 알 수 없는 설정 구역 [{section}]입니다.{hint}")
        if not isinstance(body, dict):
            raise ConfigError(f"{path.name}: [{section}]은(는) 구역이어야 합니다.")
        for key, value in body.items():
            allowed = _KNOWN[section]
            if key not in allowed:
                hint = _suggest(key, list(allowed))
                raise ConfigError(f"{path.name}: [{section}]에 알 수 없는 키 '{key}'가 있습니다.{hint}")
            expected = allowed[key]
            if isinstance(value, bool) and expected in (int, (int, float)):
                raise ConfigError(f"{path.name}: [{section}] {key}의 값 형식이 잘못되었습니다.")
            if not isinstance(value, expected):
                raise ConfigError(f"{path.name}: [{section}] {key}의 값 형식이 잘못되었습니다 (현재: {value!r}).")


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" '{close[0]}'을(를) 뜻했나요?" if close else f" 가능한 값: {', '.join(choices)}"


def _check_addresses(mail: MailConfig, path: Path) -> None:
    """One valid address per ``[mail] cc`` entry and in ``sender`` — a config error, not the recipients'."""
    from automation.parsers import parse_email

    for n, entry in enumerate(mail.cc, start=1):
        parsed = parse_email(entry)
        if parsed.code == "email_multiple":
            raise ConfigError(
                f"{path.name}: [mail] cc의 {n}번째 값에 주소가 여러 개 있습니다. 한 값에 주소 하나씩, "
                'cc = ["staff1@example.go.kr", "staff2@example.go.kr"]처럼 나눠 적으세요.'
            )
        if not parsed.ok or not parsed.value:
            raise ConfigError(
                f"{path.name}: [mail] cc의 {n}번째 값이 이메일 주소가 아닙니다 — {parsed.error or '빈 값'}"
            )
    sender = parse_email(mail.sender)
    if not sender.ok or not sender.value:
        raise ConfigError(f"{path.name}: [mail] sender가 이메일 주소가 아닙니다 — {sender.error or '빈 값'}")


def parse_config(data: dict[str, Any], path: Path) -> Config:
    _check_keys(data, path)
    base = path.parent
    wb = data.get("workbook", {})
    backend = wb.get("backend", "xlsx")
    if backend not in ("xlsx", "google"):
        raise ConfigError(f'{path.name}: [workbook] backend는 "xlsx" 또는 "google"이어야 합니다 (현재: {backend!r}).')
    workbooks: dict[str, str] = {}
    defaults = {"master": "data/master.xlsx", "outcomes": "data/outcomes.xlsx", "dashboard": "data/dashboard.xlsx"}
    for role in ROLES:
        value = str(wb.get(role, defaults[role] if backend == "xlsx" else "")).strip()
        if not value:
            raise ConfigError(
                f"{path.name}: [workbook] {role}에 Google 스프레드시트 키를 적어 주세요 "
                "(주소 https://docs.google.com/spreadsheets/d/<키>/edit 의 <키> 부분)."
            )
        value = str((base / value).resolve()) if backend == "xlsx" else _spreadsheet_key(value)
        workbooks[role] = value
    if backend == "xlsx" and len(set(workbooks.values())) != len(ROLES):
        raise ConfigError(f"{path.name}: master, outcomes, dashboard는 서로 다른 파일이어야 합니다.")

    g = data.get("google", {})
    cred_value = os.environ.get("ONEMARKET_GOOGLE_CREDENTIALS") or g.get("credentials")
    google = GoogleConfig(
        credentials=(base / cred_value).resolve() if cred_value else None,
        endpoint=str(g.get("endpoint", DEFAULT_ENDPOINT)).rstrip("/"),
        timeout=float(g.get("timeout", 30.0)),
        max_attempts=int(g.get("max_attempts", 6)),
        deadline=float(g.get("deadline", 120.0)),
    )
    if not google.endpoint.startswith(("https://", "http://")):
        raise ConfigError(f"{path.name}: [google] endpoint는 http(s):// 주소여야 합니다.")
    if google.max_attempts < 1 or google.timeout <= 0 or google.deadline <= 0:
        raise ConfigError(f"{path.name}: [google] timeout, max_attempts, deadline은 양수여야 합니다.")

    m = data.get("mail", {})
    transport = m.get("transport", "outbox")
    if transport not in ("outbox", "smtp"):
        raise ConfigError(f'{path.name}: [mail] transport는 "outbox" 또는 "smtp"여야 합니다.')
    mail = MailConfig(
        transport=transport,
        outbox=(base / m.get("outbox", "outbox")).resolve(),
        sender=m.get("sender", "onemarket@example.go.kr"),
        sender_name=str(m.get("sender_name", "경기지방중소벤처기업청 1사1시장")),
        cc=tuple(str(x) for x in m.get("cc", [])),
        host=m.get("host", "localhost"),
        port=int(m.get("port", 587)),
        starttls=bool(m.get("starttls", True)),
        ssl=bool(m.get("ssl", False)),
        username=m.get("username", ""),
        password_env=m.get("password_env", "ONEMARKET_SMTP_PASSWORD"),
        cafile=(base / m["cafile"]).resolve() if m.get("cafile") else None,
        timeout=float(m.get("timeout", 30.0)),
        max_per_run=int(m.get("max_per_run", 200)),
        max_failures=int(m.get("max_failures", 3)),
        batch=int(m.get("batch", 20)),
    )
    _check_addresses(mail, path)
    if mail.max_per_run < 0 or mail.max_failures < 1 or mail.timeout <= 0 or mail.batch < 1:
        raise ConfigError(f"{path.name}: [mail] max_per_run은 0 이상, max_failures·timeout·batch는 양수여야 합니다.")
    documents = _documents(data.get("documents", {}), base, path)
    run = data.get("run", {})
    lock_ttl = float(run.get("lock_ttl", 600))
    if lock_ttl < 30:
        raise ConfigError(f"{path.name}: [run] lock_ttl은 30초 이상이어야 합니다 (잠금 만료; 기본 600).")
    state_dir = (base / run.get("state_dir", ".onemarket")).resolve()
    real = {
        "협약서 폴더([documents] output)": documents.output,
        "메일 보관 폴더([mail] outbox)": mail.outbox,
        "작업 폴더([run] state_dir)": state_dir,
        "설정 파일": path.resolve(),
    }
    if backend == "xlsx":
        real.update({f"{role} 파일": Path(p) for role, p in workbooks.items()})
    check_preview(documents.preview, real, path.name)
    return Config(
        path=path,
        backend=backend,
        workbooks=workbooks,
        google=google,
        mail=mail,
        documents=documents,
        outcomes=_outcomes(data.get("outcomes", {}), path),
        matching=_matching(data.get("matching", {}), path),
        dashboard=_dashboard(data.get("dashboard", {}), path),
        press=PressConfig(**{k: str(v).strip() for k, v in data.get("press", {}).items()}),
        intake=IntakeConfig(
            inbox=(base / data["intake"]["inbox"]).resolve() if data.get("intake", {}).get("inbox") else None,
            move=bool(data.get("intake", {}).get("move", True)),
            responses=str(data.get("intake", {}).get("responses", "")).strip(),
            responses_workbook=_responses_book(data.get("intake", {}), backend, base),
        ),
        lock_path=(base / run.get("lock", ".onemarket/run.lock")).resolve(),
        lock_ttl=lock_ttl,
        state_dir=state_dir,
        lock_explicit="lock" in run,
    )


def _responses_book(d: dict[str, Any], backend: str, base: Path) -> str:
    value = str(d.get("responses_workbook", "")).strip()
    if not value:
        return ""
    return _spreadsheet_key(value) if backend == "google" else str((base / value).resolve())


def _matching(m: dict[str, Any], path: Path) -> MatchingConfig:
    priority = m.get("priority", "coverage")
    if priority not in PRIORITY_WORDS:
        raise ConfigError(
            f'{path.name}: [matching] priority는 "coverage"(매칭 기관 수 우선) 또는 "wishes"(1·2지망 우선) '
            f"중 하나여야 합니다 (현재: {priority!r})."
        )
    return MatchingConfig(priority=priority)


def _day(value: object, key: str, path: Path) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(
            f'{path.name}: [dashboard] {key}는 날짜여야 합니다 (예: {key} = "2026-01-01"; 현재: {value!r}).'
        ) from None


def _dashboard(d: dict[str, Any], path: Path) -> DashboardConfig:
    since, until = _day(d.get("since"), "since", path), _day(d.get("until"), "until", path)
    if since and until and until < since:
        raise ConfigError(f"{path.name}: [dashboard] until({until})이 since({since})보다 앞섭니다. 기간을 고치세요.")
    idle = int(d.get("idle_days", 60))
    if idle < 1:
        raise ConfigError(f"{path.name}: [dashboard] idle_days는 1 이상이어야 합니다 (현재: {idle}).")
    return DashboardConfig(since=since, until=until, idle_days=idle)


def _outcomes(o: dict[str, Any], path: Path) -> OutcomesConfig:
    days = int(o.get("remind_after_days", 30))
    if days < 0:
        raise ConfigError(
            f"{path.name}: [outcomes] remind_after_days는 0 이상이어야 합니다 (0이면 알림을 보내지 않음)."
        )
    return OutcomesConfig(remind_after_days=days, editors=tuple(str(x).strip() for x in o.get("editors", [])))


def _documents(d: dict[str, Any], base: Path, path: Path) -> DocumentsConfig:
    pdf = d.get("pdf", "auto")
    if pdf not in ("auto", "always", "never"):
        raise ConfigError(
            f'{path.name}: [documents] pdf는 "auto", "always", "never" 중 하나여야 합니다 (현재: {pdf!r}).'
        )
    months = int(d.get("period_months", 12))
    if not 1 <= months <= 120:
        raise ConfigError(f"{path.name}: [documents] period_months는 1~120 사이여야 합니다 (현재: {months}).")
    return DocumentsConfig(
        output=(base / d.get("output", "agreements")).resolve(),
        template=(base / d["template"]).resolve() if d.get("template") else None,
        team_template=(base / d["team_template"]).resolve() if d.get("team_template") else None,
        pdf=pdf,
        soffice=str(d.get("soffice", "")),
        preview=(base / d.get("preview", "preview")).resolve(),
        period_months=months,
    )


def _spreadsheet_key(value: str) -> str:
    """Accept a bare key or a full docs.google.com URL."""
    marker = "/spreadsheets/d/"
    if marker in value:
        return value.split(marker, 1)[1].split("/", 1)[0]
    return value
