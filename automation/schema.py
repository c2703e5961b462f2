"""Tab schemas loaded from sheet_schemas/*.toml.

The schema drives headers, dropdowns, protection and validation. A broken schema file is a
:class:`SchemaError` at start-up, never a surprise half-way through a step.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from automation.errors import SchemaError
from automation.resources import data_dir

TYPES = frozenset(
    {
        "id",
        "text",
        "longtext",
        "date",
        "datetime",
        "enum",
        "yn",
        "phone",
        "email",
        "brn",
        "krw",
        "krw_thousand",
        "int",
        "float",
        "market_name",
        "sigun",
        "url",
    }
)
OWNERS = frozenset({"staff", "job", "market"})
WORKBOOKS = ("master", "outcomes", "dashboard")
DASHBOARD_TABS = ("요약", "팀별활동", "후속관리", "시군별", "기관유형별", "협력분야별", "월별성과", "우수사례후보")
_COLUMN_KEYS = frozenset(
    {
        "key",
        "header",
        "type",
        "required",
        "enum",
        "owner",
        "aliases",
        "width",
        "source",
        "dropdown_source",
        "description",
        "optional",
        "min",
        "max",
        "form_label",
        "form_section",
    }
)
_TAB_KEYS = frozenset({"tab", "workbook", "id_column", "description", "columns", "hidden", "optional"})


def normalize_header(text: str) -> str:
    """Header comparison key: NFKC, NFC Hangul, no spaces, lower case."""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text))
    return "".join(text.split()).lower()


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: str
    owner: str = "staff"
    required: bool = False
    enum: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    width: int | None = None
    source: str | None = None
    dropdown_source: tuple[str, str] | None = None  # (tab, header) — a non-strict list
    description: str = ""
    #: a column added after workbooks were in use: a tab without its header still works (the
    #: feature that needs it is off there) until ``init`` adds it
    optional: bool = False
    #: bounds of an ``int`` column (inclusive); a value outside is an error on its row
    min: int | None = None
    max: int | None = None
    #: the column's line on the 참여 신청서 (``onemarket form``) and the label ``import-forms``
    #: looks for first; a column without it is not on the form
    form_label: str = ""
    form_section: str = ""

    def range_message(self, value: str) -> str:
        """An ``int`` column with bounds: the Korean message when ``value`` (parsed) is outside them."""
        if self.type != "int" or not value or (self.min is None and self.max is None):
            return ""
        number = int(value)
        low = self.min if self.min is not None else number
        high = self.max if self.max is not None else number
        if low <= number <= high:
            return ""
        if self.min is not None and self.max is not None:
            return f"{number}은(는) 범위 밖입니다. {self.min}부터 {self.max}까지의 정수로 적으세요."
        if self.min is not None:
            return f"{number}은(는) 너무 작습니다. {self.min} 이상으로 적으세요."
        return f"{number}은(는) 너무 큽니다. {self.max} 이하로 적으세요."

    @property
    def job_owned(self) -> bool:
        return self.owner == "job"

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class TabSchema:
    name: str
    workbook: str
    id_column: str
    columns: tuple[Column, ...]
    description: str = ""
    path: Path | None = field(default=None, compare=False)
    #: a job-owned tab that holds job state (name starts with "_"): hidden, created by the job when
    #: missing, protected on Google so only the service account edits it
    hidden: bool = False
    #: what the code calls the tab: its schema file's name (``matches`` for matches.toml)
    role: str = ""
    #: a tab added after workbooks were in use (협약, 협력과제, 협약식): a workbook without it still
    #: passes 구조점검 and the steps that do not need it run; ``init`` adds it
    optional: bool = False

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def column_by_header(self, header: str) -> Column:
        for col in self.columns:
            if col.header == header:
                return col
        raise KeyError(header)

    @property
    def id(self) -> Column:
        return self.column(self.id_column)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @cached_property
    def job_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.job_owned)


def schema_dir() -> Path:
    folder = data_dir("sheet_schemas")
    if folder is not None:
        return folder
    raise SchemaError("sheet_schemas 폴더를 찾을 수 없습니다. 설치가 손상되었으니 다시 설치하세요.")


def _fail(path: Path, what: str) -> SchemaError:
    return SchemaError(f"스키마 파일 {path.name}이(가) 잘못되었습니다: {what}")


def _str_list(path: Path, raw: dict[str, Any], name: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, f"열 '{raw.get('key')}'의 {name}은(는) 비어 있지 않은 문자열 목록이어야 합니다")
    return tuple(value)


def _column(path: Path, raw: Any) -> Column:
    if not isinstance(raw, dict):
        raise _fail(path, "[[columns]] 항목이 표가 아닙니다")
    unknown = set(raw) - _COLUMN_KEYS
    if unknown:
        raise _fail(path, f"열 '{raw.get('key')}'에 알 수 없는 속성 {sorted(unknown)}")
    for name in ("key", "header", "type"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise _fail(path, f"열마다 '{name}'이(가) 필요합니다 (열: {raw.get('key', '?')})")
    ctype = raw["type"]
    if ctype not in TYPES:
        raise _fail(path, f"열 '{raw['key']}'의 type '{ctype}'은(는) 없습니다. 가능: {sorted(TYPES)}")
    owner = raw.get("owner", "staff")
    if owner not in OWNERS:
        raise _fail(path, f"열 '{raw['key']}'의 owner '{owner}'은(는) staff, job, market 중 하나여야 합니다")
    enum = _str_list(path, raw, "enum")
    if ctype == "enum" and not enum:
        raise _fail(path, f"enum 열 '{raw['key']}'에 enum 값 목록이 없습니다")
    if enum and ctype != "enum":
        raise _fail(path, f"열 '{raw['key']}'은(는) enum 형식이 아닌데 enum 값이 있습니다")
    if not isinstance(raw.get("required", False), bool):
        raise _fail(path, f"열 '{raw['key']}'의 required는 true/false여야 합니다")
    width = raw.get("width")
    if width is not None and (not isinstance(width, int) or isinstance(width, bool) or width <= 0):
        raise _fail(path, f"열 '{raw['key']}'의 width는 양의 정수여야 합니다")
    bounds = _bounds(path, raw, ctype)
    dropdown: tuple[str, str] | None = None
    if "dropdown_source" in raw:
        src = raw["dropdown_source"]
        if not isinstance(src, str) or src.count(".") != 1:
            raise _fail(path, f"열 '{raw['key']}'의 dropdown_source는 '탭.머리글' 형식이어야 합니다")
        tab, header = src.split(".")
        dropdown = (tab, header)
    return Column(
        key=raw["key"],
        header=raw["header"],
        type=ctype,
        owner=owner,
        required=raw.get("required", False),
        enum=enum,
        aliases=_str_list(path, raw, "aliases"),
        width=width,
        source=raw.get("source"),
        dropdown_source=dropdown,
        description=str(raw.get("description", "")),
        optional=bool(raw.get("optional", False)),
        min=bounds[0],
        max=bounds[1],
        form_label=str(raw.get("form_label", "")).strip(),
        form_section=str(raw.get("form_section", "")).strip(),
    )


def _bounds(path: Path, raw: dict[str, Any], ctype: str) -> tuple[int | None, int | None]:
    out: list[int | None] = []
    for name in ("min", "max"):
        value = raw.get(name)
        if value is not None and (ctype != "int" or not isinstance(value, int) or isinstance(value, bool)):
            raise _fail(path, f"열 '{raw['key']}'의 {name}은(는) int 열에만, 정수로 적습니다")
        out.append(value)
    if out[0] is not None and out[1] is not None and out[0] > out[1]:
        raise _fail(path, f"열 '{raw['key']}'의 min이 max보다 큽니다")
    return out[0], out[1]


def load_schema_file(path: Path) -> TabSchema:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(path, f"TOML 문법 오류 ({exc})") from exc
    unknown = set(raw) - _TAB_KEYS
    if unknown:
        raise _fail(path, f"알 수 없는 키 {sorted(unknown)}")
    for name in ("tab", "workbook", "id_column"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise _fail(path, f"'{name}'이(가) 필요합니다")
    if raw["workbook"] not in WORKBOOKS:
        raise _fail(path, f"workbook은 {', '.join(WORKBOOKS)} 중 하나여야 합니다")
    cols = raw.get("columns")
    if not isinstance(cols, list) or not cols:
        raise _fail(path, "[[columns]]가 하나도 없습니다")
    columns = tuple(_column(path, c) for c in cols)
    seen_keys: set[str] = set()
    seen_names: dict[str, str] = {}
    for col in columns:
        if col.key in seen_keys:
            raise _fail(path, f"열 key '{col.key}'가 두 번 나옵니다")
        seen_keys.add(col.key)
        for name in col.names:
            norm = normalize_header(name)
            if norm in seen_names and seen_names[norm] != col.key:
                raise _fail(path, f"머리글/별칭 '{name}'이(가) 열 '{seen_names[norm]}'과 겹칩니다")
            seen_names[norm] = col.key
    if raw["id_column"] not in seen_keys:
        raise _fail(path, f"id_column '{raw['id_column']}'이(가) 열 목록에 없습니다")
    return TabSchema(
        name=raw["tab"],
        workbook=raw["workbook"],
        id_column=raw["id_column"],
        columns=columns,
        description=str(raw.get("description", "")),
        path=path,
        hidden=bool(raw.get("hidden", False)),
        role=path.stem,
        optional=bool(raw.get("optional", False)),
    )


@dataclass(frozen=True)
class SchemaSet:
    """Every tab schema, by tab name (``schemas["매칭"]``) or by role (``schemas.matches``)."""

    tabs: dict[str, TabSchema]

    def __getitem__(self, tab: str) -> TabSchema:
        return self.tabs[tab]

    def by_role(self, role: str) -> TabSchema:
        for tab in self.tabs.values():
            if tab.role == role:
                return tab
        raise SchemaError(f"스키마 파일 {role}.toml이(가) 없습니다. 설치가 손상되었으니 다시 설치하세요.")

    @property
    def applications(self) -> TabSchema:
        return self.by_role("applications")

    @property
    def markets(self) -> TabSchema:
        return self.by_role("markets")

    @property
    def matches(self) -> TabSchema:
        return self.by_role("matches")

    @property
    def runlog(self) -> TabSchema:
        return self.by_role("runlog")

    @property
    def outcomes(self) -> TabSchema:
        return self.by_role("outcomes")

    @property
    def job_state(self) -> TabSchema:
        return self.by_role("job_state")

    @property
    def teams(self) -> TabSchema:
        return self.by_role("teams")

    @property
    def tasks(self) -> TabSchema:
        return self.by_role("tasks")

    @property
    def ceremonies(self) -> TabSchema:
        return self.by_role("ceremonies")

    @property
    def mail_log(self) -> TabSchema:
        return self.by_role("mail_log")

    def for_workbook(self, workbook: str, *, job_tabs: bool = True) -> list[TabSchema]:
        """The tabs of one file; ``job_tabs=False`` leaves out the hidden job-state tabs."""
        return [t for t in self.tabs.values() if t.workbook == workbook and (job_tabs or not t.hidden)]


# The tabs of DESIGN.md §3 (by role: the schema file's name), in the order init creates them.
ROLE_ORDER = ("applications", "markets", "matches", "runlog", "outcomes", "teams", "tasks", "ceremonies")


def load_schemas(directory: Path | None = None) -> SchemaSet:
    directory = directory or schema_dir()
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise SchemaError(f"{directory}에 스키마 파일(*.toml)이 없습니다.")
    tabs: dict[str, TabSchema] = {}
    sources: dict[str, Path] = {}
    roles: dict[str, str] = {}
    for path in files:
        tab = load_schema_file(path)
        if tab.name in tabs:
            raise _fail(path, f"탭 '{tab.name}'이(가) {sources[tab.name].name}에도 있습니다")
        tabs[tab.name] = tab
        sources[tab.name] = path
        roles[tab.role] = tab.name
    missing = [f"{r}.toml" for r in ROLE_ORDER if r not in roles]
    if missing:
        raise SchemaError(
            f"스키마 파일 {', '.join(missing)}이(가) {directory}에 없습니다. 저장소의 sheet_schemas/에서 복사해 두세요."
        )
    for tab in tabs.values():
        for col in tab.columns:
            if col.dropdown_source:
                src_tab, src_header = col.dropdown_source
                if src_tab not in tabs or src_header not in tabs[src_tab].headers:
                    raise _fail(
                        tab.path or directory, f"열 '{col.key}'의 dropdown_source '{src_tab}.{src_header}'가 없습니다"
                    )
    ordered = {roles[r]: tabs[roles[r]] for r in ROLE_ORDER}
    ordered.update({k: v for k, v in tabs.items() if k not in ordered})
    return SchemaSet(ordered)


@lru_cache(maxsize=1)
def default_schemas() -> SchemaSet:
    return load_schemas()


class _TabNames:
    """The tab names by role, read from sheet_schemas/ when first asked (``TABS.matches`` → "매칭"),
    for code that names a tab without a :class:`SchemaSet` at hand."""

    @property
    def applications(self) -> str:
        return default_schemas().applications.name

    @property
    def markets(self) -> str:
        return default_schemas().markets.name

    @property
    def matches(self) -> str:
        return default_schemas().matches.name

    @property
    def runlog(self) -> str:
        return default_schemas().runlog.name

    @property
    def outcomes(self) -> str:
        return default_schemas().outcomes.name

    @property
    def job_state(self) -> str:
        return default_schemas().job_state.name

    @property
    def mail_log(self) -> str:
        return default_schemas().mail_log.name

    @property
    def teams(self) -> str:
        return default_schemas().teams.name

    @property
    def tasks(self) -> str:
        return default_schemas().tasks.name

    @property
    def ceremonies(self) -> str:
        return default_schemas().ceremonies.name


TABS = _TabNames()
