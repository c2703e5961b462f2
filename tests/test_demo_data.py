"""automation.demo.data: the sample markets and applications of ``onemarket demo``."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from automation.demo.data import BAD_ROWS, ORG_TYPES, sample_applications, sample_markets
from automation.domain.markets_csv import derive_market_code
from automation.geo import SIGUN, parse_address
from automation.parsers import parse_phone
from automation.schema import default_schemas

MARKET_KEYS = {c.key for c in default_schemas()["시장"].columns}
APPLICATION_COLUMNS = default_schemas()["참여신청"].columns
APPLICATION_KEYS = {c.key for c in APPLICATION_COLUMNS}
PHONE = re.compile(r"(010-\d{4}|031-\d{3,4})-\d{4}")
EMAIL = re.compile(r"[a-z0-9._-]+@example\.(com|org|net)")
BAD = {key: value for key, value in BAD_ROWS.values() if key != "org_name"}  # by column


def brn_valid(text: str) -> bool:
    """Independent check of the 사업자등록번호 check digit."""
    digits = [int(c) for c in text if c.isdigit()]
    if len(digits) != 10:
        return False
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(d * w for d, w in zip(digits, weights, strict=False)) + digits[8] * 5 // 10
    return (10 - total % 10) % 10 == digits[9]


@pytest.mark.parametrize(
    ("brn", "ok"),
    [
        ("116-82-00276", True),
        ("116-82-00277", False),
        ("124-81-00998", True),
        ("124-81-00999", False),
        ("1168200276", True),
        ("116-82-0027", False),
    ],
)
def test_brn_reference(brn: str, ok: bool) -> None:
    assert brn_valid(brn) is ok


# --- markets -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def markets() -> list[dict[str, str]]:
    return sample_markets()


def test_market_shape(markets: list[dict[str, str]]) -> None:
    assert 38 <= len(markets) <= 50
    assert all(set(m) <= MARKET_KEYS for m in markets)
    assert len({m["market_code"] for m in markets}) == len(markets)
    assert len({m["market_name"] for m in markets}) == len(markets)
    assert len({m["sigun"] for m in markets}) >= 25
    for m in markets:
        assert m["market_code"] == derive_market_code(m["market_name"], m["sigun"])


def test_market_places(markets: list[dict[str, str]]) -> None:
    for m in markets:
        parts = parse_address(m["road_address"])
        assert (parts.sido, parts.sigun, parts.gu or "") == ("경기도", m["sigun"], m["gu"]), m
        lat, lon = float(m["latitude"]), float(m["longitude"])
        assert 36.9 < lat < 38.3 and 126.5 < lon < 127.9
        assert int(m["store_count"]) > 0
        assert m["parking"] in {"Y", "N"}
    names = {m["market_name"]: m for m in markets}
    assert (names["못골시장"]["sigun"], names["못골시장"]["gu"]) == ("수원시", "팔달구")
    assert (names["모란시장"]["sigun"], names["모란시장"]["gu"]) == ("성남시", "중원구")


def test_market_staff_columns(markets: list[dict[str, str]]) -> None:
    capacity = Counter(m["capacity"] for m in markets)
    assert set(capacity) <= {"1", "2", "3"} and capacity["1"] > len(markets) * 0.8
    assert capacity["2"] and capacity["3"]
    assert [m["participating"] for m in markets].count("N") == 1
    with_contact = [m for m in markets if m["association_contact"]]
    assert len(markets) / 2 < len(with_contact) < len(markets)
    for m in with_contact:
        assert parse_phone(m["association_phone"]).ok, m["association_phone"]
        assert re.fullmatch(r"[a-z0-9]+@example\.org", m["association_email"])
        assert re.fullmatch(r"[가-힣]{2,4}", m["association_contact"])


# --- applications ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def apps() -> list[dict[str, str]]:
    return sample_applications()


def is_bad(row: dict[str, str]) -> bool:
    return any(row.get(key) == value for key, value in BAD_ROWS.values())


def test_application_shape(apps: list[dict[str, str]]) -> None:
    assert 75 <= len(apps) <= 85
    assert all(set(a) == APPLICATION_KEYS for a in apps)
    assert all(a["application_id"] == a["validation_result"] == a["validation_message"] == "" for a in apps)
    days = [a["received_on"] for a in apps]
    assert days == sorted(days)
    for d in days:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)
        assert date(2024, 3, 1) <= date.fromisoformat(d) <= date(2024, 6, 30)


def test_every_org_type(apps: list[dict[str, str]]) -> None:
    assert set(ORG_TYPES) == set(default_schemas()["참여신청"].column("org_type").enum)
    assert {a["org_type"] for a in apps} == set(ORG_TYPES)


def test_every_sigun_in_addresses(apps: list[dict[str, str]]) -> None:
    parts = [parse_address(a["address"]) for a in apps]
    assert all(p.sido == "경기도" and p.sigun in SIGUN for p in parts)
    assert {p.sigun for p in parts} == set(SIGUN)
    assert any(a["address"].startswith("경기도 ") for a in apps)
    assert any(a["address"].startswith("경기 ") for a in apps)
    assert any(not a["address"].startswith("경기") for a in apps)


def test_brn_check_digits(apps: list[dict[str, str]]) -> None:
    invalid = [a["brn"] for a in apps if a["brn"] and not brn_valid(a["brn"])]
    assert invalid == [BAD["brn"]]
    for a in apps:
        if a["brn"]:
            assert re.fullmatch(r"\d{3}-\d{2}-\d{5}", a["brn"])
        elif a["org_type"] not in {"공공기관", "군부대", "대학", "협단체", "기타"}:
            pytest.fail(f"a company without 사업자등록번호: {a['org_name']}")
    assert any(not a["brn"] for a in apps if a["org_type"] == "공공기관")


def test_contacts(apps: list[dict[str, str]]) -> None:
    for a in apps:
        if a["phone"] != BAD["phone"]:
            assert PHONE.fullmatch(a["phone"]), a["phone"]
        if a["email"] != BAD["email"]:
            assert EMAIL.fullmatch(a["email"]), a["email"]
        assert re.fullmatch(r"[가-힣]{2,4}", a["contact_name"])
        assert re.fullmatch(r"[가-힣]{2,4}", a["representative"])


def test_yes_no_and_amounts(apps: list[dict[str, str]]) -> None:
    for a in apps:
        for key in ("market_day", "purchase", "third_party_consent"):
            assert a[key] in {"Y", "N"}
        amount = a["onnuri_thousand_won"]
        assert amount == "" or 100 <= int(amount) <= 100_000
    consent = Counter(a["privacy_consent"] for a in apps)
    assert consent == Counter({"Y": len(apps) - 1, "N": 1})
    assert Counter(a["third_party_consent"] for a in apps)["N"] >= 5
    assert any("벽화" in a["special_program"] for a in apps)


def test_wishes(apps: list[dict[str, str]]) -> None:
    markets = sample_markets()
    names = {m["market_name"] for m in markets}
    short_sigun = {s[:-1] for s in SIGUN}

    def known(wish: str) -> bool:
        w = wish.replace(" ", "")
        return any(w in {n, n.replace("전통", "")} or (w.endswith(n) and w[: -len(n)] in short_sigun) for n in names)

    wishes = [a[k] for a in apps for k in ("wish_market_1", "wish_market_2") if a[k]]
    assert all(known(w) for w in wishes), [w for w in wishes if not known(w)]
    assert any(w not in names for w in wishes)  # some typed loosely: '못골 시장'
    region_only = [a for a in apps if a["wish_region"] and not a["wish_market_1"]]
    assert len(region_only) >= 5
    assert all(a["wish_region"].rstrip("시군") in short_sigun | {s.rstrip("시군") for s in SIGUN} for a in region_only)
    assert all(a["wish_market_1"] or a["wish_region"] for a in apps)


def test_bad_rows(apps: list[dict[str, str]]) -> None:
    for description, (key, value) in BAD_ROWS.items():
        hits = [a for a in apps if a[key] == value]
        assert len(hits) == 1, description
    assert [a["contact_name"] for a in apps if not a["org_name"]] == [BAD["contact_name"]]
    gana = [a for a in apps if a["org_name"] in {"(주)가나", "주식회사 가나"}]
    assert len(gana) == 2 and gana[0]["brn"] == gana[1]["brn"] and brn_valid(gana[0]["brn"])
    assert gana[0]["address"] == gana[1]["address"]
    good = [a for a in apps if not is_bad(a)]
    assert len(apps) - len(good) == len(BAD_ROWS)


def test_org_names_unique_apart_from_the_duplicate(apps: list[dict[str, str]]) -> None:
    def base(name: str) -> str:
        return re.sub(r"\(주\)|주식회사", "", name).strip()

    counts = Counter(base(a["org_name"]) for a in apps if a["org_name"])
    assert [n for n, c in counts.items() if c > 1] == ["가나"]


def test_deterministic_for_a_seed() -> None:
    assert sample_applications(7) == sample_applications(7)
    assert sample_applications() == sample_applications(2024)
    assert sample_applications(7) != sample_applications(8)
    assert sample_markets() == sample_markets()
