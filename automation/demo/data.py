"""Sample data for ``onemarket demo`` (offline), written by this project.

* :func:`sample_markets` — 45 real traditional markets in 30 of the 31 시군 (names and places
  are public facts; coordinates approximate to ~100 m, store counts from public figures). Some
  use the everyday name rather than the 표준데이터 spelling (못골시장 = 못골종합시장, 모란시장 =
  모란종합시장). 시장코드 is derived as the import does (:func:`derive_market_code`). The 상인회
  contacts are invented: phones 031-5xx-xxxx and up, e-mails at example.org.
* :func:`sample_applications` — about 80 invented applications: organisations, people, phone
  numbers (010-…, 031-…), e-mail addresses (example.com/.org/.net) and 사업자등록번호 (valid
  check digits) are all made up; any likeness to a real body is chance. Six rows are bad on
  purpose (see :data:`BAD_ROWS`) so that ``onemarket validate`` has something to report.

Both are deterministic: the markets are fixed, the applications depend only on the seed.
"""

from __future__ import annotations

import datetime as dt
import random

from automation.domain.markets_csv import derive_market_code
from automation.geo import CENTROIDS, SIGUN, haversine_km
from automation.schema import default_schemas

# name, 시군, 구, 도로명주소 without 경기도, lat, lon, 점포수,
# 시장유형 (S 상설장, F 상설장+5일장), 주차장
_MARKETS: tuple[tuple[str, str, str, str, float, float, int, str, str], ...] = (
    ("못골시장", "수원시", "팔달구", "수원천로 254", 37.276, 127.020, 86, "S", "Y"),
    ("지동시장", "수원시", "팔달구", "팔달문로 19", 37.278, 127.020, 219, "S", "Y"),
    ("팔달문시장", "수원시", "팔달구", "정조로770번길 17", 37.277, 127.018, 220, "S", "Y"),
    ("정자시장", "수원시", "장안구", "수성로261번길 16", 37.291, 127.001, 150, "S", "Y"),
    ("구매탄시장", "수원시", "영통구", "매여울로53번길 50-1", 37.273, 127.042, 118, "S", "Y"),
    ("권선종합시장", "수원시", "권선구", "세권로 185", 37.256, 127.025, 108, "S", "Y"),
    ("모란시장", "성남시", "중원구", "성남대로 1127", 37.430, 127.129, 62, "F", "Y"),
    ("중앙공설시장", "성남시", "수정구", "수정로 109", 37.441, 127.132, 115, "S", "Y"),
    ("단대전통시장", "성남시", "중원구", "광명로 289", 37.444, 127.158, 85, "S", "Y"),
    ("금호행복시장", "성남시", "분당구", "내정로165번길 38", 37.377, 127.116, 170, "S", "Y"),
    ("의정부제일시장", "의정부시", "", "태평로73번길 20", 37.740, 127.050, 334, "S", "Y"),
    ("안양중앙시장", "안양시", "만안구", "냉천로 196", 37.398, 126.920, 315, "S", "Y"),
    ("관양시장", "안양시", "동안구", "관평로336번길 31", 37.405, 126.959, 142, "S", "N"),
    ("부천자유시장", "부천시", "소사구", "자유로 33", 37.484, 126.780, 261, "S", "N"),
    ("부천상동시장", "부천시", "원미구", "석천로60번길 51", 37.492, 126.764, 131, "S", "Y"),
    ("고리울동굴시장", "부천시", "오정구", "고리울로64번길 36", 37.526, 126.822, 74, "S", "Y"),
    ("광명전통시장", "광명시", "", "광이로13번길 17-5", 37.480, 126.856, 315, "S", "Y"),
    ("통복시장", "평택시", "", "통복시장로25번길 10", 36.998, 127.085, 594, "F", "Y"),
    ("송탄시장", "평택시", "", "탄현로346번길 38", 37.081, 127.057, 142, "F", "Y"),
    ("동두천큰시장", "동두천시", "", "큰시장로 52", 37.900, 127.052, 104, "F", "Y"),
    ("안산시민시장", "안산시", "단원구", "화랑로 149", 37.325, 126.805, 410, "F", "Y"),
    ("원당시장", "고양시", "덕양구", "호국로790번길 17", 37.656, 126.837, 68, "S", "Y"),
    ("일산시장", "고양시", "일산서구", "일청로12번길 9", 37.686, 126.771, 88, "S", "Y"),
    ("제일쇼핑시장", "과천시", "", "별양상가2로 14", 37.427, 126.993, 80, "S", "Y"),
    ("구리전통시장", "구리시", "", "검배로6번길 31", 37.600, 127.140, 321, "S", "Y"),
    ("장현전통시장", "남양주시", "", "진접읍 장현로 77", 37.718, 127.183, 172, "F", "N"),
    ("오색시장", "오산시", "", "오산로272번길 21", 37.151, 127.071, 320, "F", "Y"),
    ("삼미시장", "시흥시", "", "삼미시장2길 35", 37.440, 126.784, 152, "S", "Y"),
    ("산본시장", "군포시", "", "산본천로183번길 6", 37.370, 126.938, 220, "S", "Y"),
    ("부곡도깨비시장", "의왕시", "", "부곡시장길 18", 37.319, 126.951, 128, "S", "Y"),
    ("덕풍전통시장", "하남시", "", "수리북로 22", 37.542, 127.203, 142, "F", "Y"),
    ("용인중앙시장", "용인시", "처인구", "금령로107번길 13", 37.237, 127.208, 506, "F", "Y"),
    ("금촌전통시장", "파주시", "", "금정24길 18-6", 37.763, 126.774, 95, "F", "Y"),
    ("문산자유시장", "파주시", "", "문산읍 문향로 57", 37.857, 126.784, 109, "F", "Y"),
    ("관고전통시장", "이천시", "", "중리천로31번길 22", 37.281, 127.440, 99, "F", "Y"),
    ("안성맞춤시장", "안성시", "", "시장길 37", 37.007, 127.270, 137, "S", "Y"),
    ("통진시장", "김포시", "", "통진읍 서암로84번길 29", 37.691, 126.600, 78, "S", "N"),
    ("발안시장", "화성시", "만세구", "향남읍 평2길 7", 37.131, 126.909, 214, "F", "Y"),
    ("남양시장", "화성시", "만세구", "남양읍 남양시장로 61", 37.209, 126.816, 522, "F", "Y"),
    ("경안시장", "광주시", "", "경안로25번길 14-1", 37.409, 127.257, 91, "F", "Y"),
    ("운천전통시장", "포천시", "", "영북면 영북로177번길 25", 38.090, 127.272, 48, "F", "Y"),
    ("여주한글시장", "여주시", "", "세종로14번길 24-1", 37.298, 127.634, 180, "F", "Y"),
    ("전곡전통시장", "연천군", "", "전곡읍 전곡로172번길 4-15", 38.027, 127.068, 64, "S", "Y"),
    ("가평잣고을시장", "가평군", "", "가평읍 장터2길 12", 37.830, 127.515, 119, "F", "Y"),
    ("양평물맑은시장", "양평군", "", "양평읍 양평장터길 15", 37.491, 127.493, 206, "F", "Y"),
)
_ITEMS = (
    "농산물+수산물+음식점",
    "농산물+가공식품+의류",
    "의류+신발+가정용품",
    "수산물+축산물+음식점",
    "농산물+축산물+가공식품+음식점",
)
_CAPACITY = {"못골시장": "2", "모란시장": "2", "통복시장": "2", "용인중앙시장": "3", "안산시민시장": "2"}
_NOT_PARTICIPATING = "동두천큰시장"  # 참여여부 N: the demo shows that matching skips it
_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = (
    "민준",
    "서연",
    "도윤",
    "지우",
    "하준",
    "서윤",
    "시우",
    "지민",
    "주원",
    "하은",
    "예준",
    "수아",
    "지호",
    "준서",
    "채원",
    "현우",
    "다은",
    "건우",
    "우진",
    "예린",
    "선우",
    "연우",
    "정훈",
    "미경",
    "영수",
    "은정",
    "성호",
    "혜진",
    "동현",
    "수빈",
    "재원",
    "경희",
)


def sample_markets() -> list[dict[str, str]]:
    """About 45 markets keyed by the 시장 tab's column keys (job columns left blank)."""
    rows: list[dict[str, str]] = []
    for i, (name, sigun, gu, road, lat, lon, stores, kind, parking) in enumerate(_MARKETS):
        contact = i % 3 != 2  # two markets in three have a 상인회 contact on file
        person = _SURNAMES[(i * 7) % len(_SURNAMES)] + _GIVEN[(i * 5) % len(_GIVEN)]
        rows.append(
            {
                "market_code": derive_market_code(name, sigun),
                "market_name": name,
                "market_type": "상설장" if kind == "S" else "상설장+5일장",
                "sigun": sigun,
                "gu": gu,
                "road_address": " ".join(p for p in ("경기도", sigun, gu, road) if p),
                "lot_address": "",
                "latitude": f"{lat:.3f}",
                "longitude": f"{lon:.3f}",
                "store_count": str(stores),
                "items": _ITEMS[i % len(_ITEMS)],
                "vouchers": "온누리상품권" if i % 4 else "온누리상품권+지역화폐",
                "parking": parking,
                "idle_space": "상인회 사무실 2층 회의실" if i % 5 == 0 else "",
                "culture_space": "고객쉼터 야외무대" if i % 6 == 1 else "",
                "association_contact": person if contact else "",
                "association_phone": f"031-{500 + i * 7 % 400}-{1000 + i * 113 % 9000:04d}" if contact else "",
                "association_email": f"market{i + 1:02d}@example.org" if contact else "",
                "capacity": _CAPACITY.get(name, "1"),
                "participating": "N" if name == _NOT_PARTICIPATING else "Y",
                "validation_result": "",
                "validation_message": "",
            }
        )
    return rows


ORG_TYPES = tuple(default_schemas().applications.column("org_type").enum)  # 기관유형, from the schema
_PREFIXES = (
    "가온",
    "나래",
    "다온",
    "라온",
    "마루",
    "바른",
    "아라",
    "자람",
    "하람",
    "한빛",
    "누리",
    "새솔",
    "보람",
    "미르",
    "슬기",
    "해솔",
    "늘품",
    "도담",
    "별하",
    "윤슬",
    "여울",
    "다솜",
    "라움",
    "벼리",
    "초롱",
    "하늬",
    "온새",
    "푸름",
    "은결",
    "산들",
)
_SUFFIXES = {
    "대기업": ("전자", "화학", "중공업", "건설", "물산", "에너지"),
    "중견기업": ("정밀", "식품", "제약", "모터스", "소재", "물류"),
    "중소기업": ("테크", "산업", "푸드", "인쇄", "금속", "디자인"),
    "유니콘기업": ("페이", "모빌리티", "커머스", "헬스케어"),
    "벤처기업": ("바이오", "로보틱스", "랩스", "센서", "에이아이"),
    "스타트업": ("랩", "웍스", "스튜디오", "플랫폼"),
}
_PRODUCTS = {
    "대기업": ("가전제품", "석유화학 소재", "건설·플랜트", "이차전지"),
    "중견기업": ("자동차 부품", "가공식품", "의약품"),
    "중소기업": ("금형·사출", "포장재", "인쇄물", "제과"),
    "유니콘기업": ("간편결제", "모빌리티 플랫폼", "온라인 쇼핑몰"),
    "벤처기업": ("진단키트", "서비스 로봇", "IoT 센서"),
    "스타트업": ("로컬 배달 앱", "모바일 장보기", "리퍼브 가구"),
    "대학": ("교육·연구",),
    "공공기관": ("공공서비스",),
    "협단체": ("회원사 지원",),
    "군부대": ("국방",),
    "기타": ("지역 돌봄", "사회서비스"),
}
_TITLES = ("사원", "주임", "대리", "과장", "차장", "팀장", "부장", "매니저")
_PROGRAMS = (
    "임직원 재능기부 SNS 마케팅 교육",
    "벽화 그리기",
    "전기·소방 안전점검 봉사",
    "온라인몰 입점 컨설팅",
    "상인 대상 세무·회계 교육",
    "시장 홍보 영상 제작",
    "명절 장보기 행사",
    "청년 상인 멘토링",
    "시장 환경 정화 활동",
    "외국어 안내판 제작",
    "",
)
_OTHER = ("사내 식당 식자재 구매", "임직원 복지포인트를 온누리상품권으로 지급", "시장 행사 경품 후원", "", "", "")
# 시군 → (구, road — with 읍/면 where needed, 법정동 for the 지번 style); street numbers invented
_ROADS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "수원시": (
        ("영통구", "광교중앙로", "하동"),
        ("팔달구", "효원로", "인계동"),
        ("장안구", "경수대로", "파장동"),
        ("권선구", "권선로", "권선동"),
    ),
    "성남시": (("분당구", "판교역로", "삼평동"), ("중원구", "둔촌대로", "성남동"), ("수정구", "수정로", "태평동")),
    "안양시": (("동안구", "시민대로", "관양동"), ("만안구", "안양로", "안양동")),
    "부천시": (("원미구", "길주로", "중동"), ("오정구", "오정로", "오정동"), ("소사구", "경인로", "송내동")),
    "안산시": (("단원구", "광덕대로", "고잔동"), ("상록구", "용신로", "사동")),
    "고양시": (("일산동구", "중앙로", "장항동"), ("덕양구", "고양대로", "행신동"), ("일산서구", "킨텍스로", "대화동")),
    "용인시": (
        ("기흥구", "중부대로", "구갈동"),
        ("수지구", "포은대로", "풍덕천동"),
        ("처인구", "중부대로", "김량장동"),
    ),
    "화성시": (
        ("동탄구", "동탄대로", "오산동"),
        ("만세구", "향남읍 발안로", "향남읍 평리"),
        ("효행구", "봉담읍 삼천병마로", "봉담읍 와우리"),
        ("병점구", "병점로", "병점동"),
    ),
}
# 시군 without 구: (road, 법정동)
_ROADS.update(
    {
        "의정부시": (("", "시민로", "의정부동"),),
        "광명시": (("", "오리로", "철산동"),),
        "평택시": (("", "평택로", "평택동"),),
        "동두천시": (("", "중앙로", "생연동"),),
        "과천시": (("", "과천대로", "중앙동"),),
        "구리시": (("", "건원대로", "인창동"),),
        "남양주시": (("", "경춘로", "금곡동"),),
        "오산시": (("", "오산로", "오산동"),),
        "시흥시": (("", "시청로", "장곡동"),),
        "군포시": (("", "군포로", "당동"),),
        "의왕시": (("", "내손순환로", "내손동"),),
        "하남시": (("", "미사대로", "망월동"),),
        "파주시": (("", "경의로", "금촌동"),),
        "이천시": (("", "경충대로", "사음동"),),
        "안성시": (("", "중앙로", "석정동"),),
        "김포시": (("", "사우중로", "사우동"),),
        "광주시": (("", "경안로", "경안동"),),
        "양주시": (("", "부흥로", "남방동"),),
        "포천시": (("", "호국로", "신읍동"),),
        "여주시": (("", "세종로", "홍문동"),),
        "연천군": (("", "전곡읍 평화로", "전곡읍 전곡리"),),
        "가평군": (("", "가평읍 석봉로", "가평읍 읍내리"),),
        "양평군": (("", "양평읍 양근로", "양평읍 양근리"),),
    }
)
_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
# The deliberately bad rows: description → (column key, value that identifies the row).
BAD_ROWS: dict[str, tuple[str, str]] = {
    "연락처가 한 자리 짧음 (010-1234-567)": ("phone", "010-1234-567"),
    "이메일 칸에 주소가 두 개": ("email", "sales@example.com, esg@example.net"),
    "사업자등록번호 검증번호 오류": ("brn", "124-81-00999"),
    "개인정보동의 N": ("org_name", "(주)초록나무식품"),
    "기관명 빈칸": ("contact_name", "남궁하늘"),
    "중복 신청 ((주)가나 = 주식회사 가나)": ("org_name", "주식회사 가나"),
}


def brn_check_digit(first9: str) -> int:
    """The 10th digit of a 사업자등록번호 from its first nine digits."""
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, _BRN_WEIGHTS, strict=True)) + digits[8] * 5 // 10
    return (10 - total % 10) % 10


def _brn(rng: random.Random, middle: str) -> str:
    head = f"{rng.randint(101, 799)}{middle}{rng.randint(0, 9999):04d}"
    return f"{head[:3]}-{head[3:5]}-{head[5:]}{brn_check_digit(head)}"


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return f"010-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}"
    return f"031-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def _email(rng: random.Random) -> str:
    local = rng.choice(("contact", "csr", "esg", "sales", "info", "hr", "office", "partner"))
    return f"{local}{rng.randint(1, 99)}@example.{rng.choice(('com', 'org', 'net'))}"


def _address(rng: random.Random, sigun: str) -> str:
    gu, road, dong = rng.choice(_ROADS[sigun])
    style = rng.randrange(6)
    if style == 5:  # 지번
        lot = f"{rng.randint(1, 999)}-{rng.randint(1, 30)}"
        return " ".join(p for p in ("경기도", sigun, gu, dong, lot) if p)
    head = ("경기도", "경기", "", "경기도", "")[style]
    city = sigun[:-1] if style == 4 else sigun  # abbreviated: "수원 영통구 …", "평택 평택로 …"
    tail = rng.choice(("", "", ", 3층", " 2층 201호", f" ({dong.split()[-1]})"))
    return " ".join(p for p in (head, city, gu, road, str(rng.randint(1, 400)) + tail) if p)


def _org_name(rng: random.Random, kind: str, used: set[str]) -> str:
    """A new invented name; ``used`` holds the names without (주)/주식회사, so no near-twins."""
    while True:
        p = rng.choice(_PREFIXES)
        if kind in _SUFFIXES:
            base = p + rng.choice(_SUFFIXES[kind])
            name = rng.choice((f"(주){base}", f"주식회사 {base}", f"{base}(주)", base))
        else:
            base = name = {
                "대학": f"{p}대학교",
                "공공기관": f"경기{p}진흥원",
                "협단체": f"경기{p}기업인협회",
                "군부대": f"육군 제{rng.randint(1001, 9899)}부대",
                "기타": f"{p}사회적협동조합",
            }[kind]
        if base not in used:
            used.add(base)
            return name


def _typo(rng: random.Random, name: str, sigun: str) -> str:
    """A wish written the way people write it: '못골 시장', '수원 못골시장', '구리시장'."""
    if "전통" in name and rng.random() < 0.5:
        return name.replace("전통", "")
    return rng.choice((name.replace("시장", " 시장"), f"{sigun[:-1]} {name}", name + " "))


def _application(
    rng: random.Random, kind: str, sigun: str, name: str, nearby: dict[str, list[tuple[str, str]]]
) -> dict[str, str]:
    company = kind in _SUFFIXES
    if company or (kind in ("대학", "협단체", "기타") and rng.random() < 0.8):
        brn = _brn(rng, rng.choice(("81", "86", "87", "88")) if company else "82")
    else:
        brn = _brn(rng, "83") if kind == "공공기관" and rng.random() < 0.5 else ""
    local = [name for name, market_sigun in nearby[sigun] if market_sigun == sigun]
    wish1 = wish2 = region = ""
    if not local or rng.random() < 0.15:  # city-only wish
        region = rng.choice((sigun, sigun, sigun[:-1]))
    else:
        wish1 = rng.choice(local)
        if rng.random() < 0.6:  # a second wish among the markets nearest to the 시군
            wish2 = rng.choice([name for name, _ in nearby[sigun][:4] if name != wish1])
        if rng.random() < 0.2:
            wish1 = _typo(rng, wish1, sigun)
    titles = {"대학": "팀장", "공공기관": "주무관", "군부대": "대위"}
    title = titles.get(kind) or rng.choice(_TITLES)
    day = dt.date(2024, 3, 1) + dt.timedelta(days=rng.randint(0, 121))
    return {
        "application_id": "",
        "received_on": day.isoformat(),
        "org_name": name,
        "org_type": kind,
        "representative": _person(rng),
        "brn": brn,
        "address": _address(rng, sigun),
        "contact_name": _person(rng),
        "contact_title": title,
        "phone": _phone(rng),
        "email": _email(rng),
        "products": rng.choice(_PRODUCTS[kind]),
        "market_day": rng.choice("YYN"),
        "purchase": rng.choice("YYN"),
        "onnuri_thousand_won": rng.choice(("500", "1000", "1000", "2000", "3000", "5000", "")),
        "special_program": rng.choice(_PROGRAMS),
        "other_cooperation": rng.choice(_OTHER),
        "wish_market_1": wish1,
        "wish_market_2": wish2,
        "wants": "",
        "wish_region": region,
        "privacy_consent": "Y",
        "third_party_consent": "Y" if rng.random() < 0.75 else "N",
        "source_file": "",  # typed by staff, not imported from a filled form
        "resubmission": "",
        "validation_result": "",
        "validation_message": "",
    }


def sample_applications(seed: int = 2024) -> list[dict[str, str]]:
    """About 80 invented applications keyed by the 참여신청 tab's column keys, by 접수일.

    Every 기관유형 and every 시군 appear; six rows are bad on purpose (:data:`BAD_ROWS`).
    """
    rng = random.Random(seed)
    markets = [m for m in sample_markets() if m["participating"] == "Y"]
    nearby = {  # 시군 → (market, its 시군), nearest first
        s: [
            (m["market_name"], m["sigun"])
            for m in sorted(
                markets, key=lambda m: haversine_km(*CENTROIDS[s], float(m["latitude"]), float(m["longitude"]))
            )
        ]
        for s in SIGUN
    }
    order = list(SIGUN)
    rng.shuffle(order)
    used = {"가나", "다솜인쇄", "별하센서", "윤슬모터스", "초록나무식품"}  # names of the bad rows
    rows: list[dict[str, str]] = []
    for i in range(73):
        sigun = order[i % len(order)] if i < 2 * len(order) else rng.choice(order)
        kind = ORG_TYPES[i % len(ORG_TYPES)] if i < 66 else rng.choice(ORG_TYPES[:6])
        rows.append(_application(rng, kind, sigun, _org_name(rng, kind, used), nearby))

    # a company partnering with five markets (like the first ceremony's LG전자 베스트샵) and a
    # public body with two
    next(r for r in rows if r["org_type"] == "대기업")["wants"] = "5"
    next(r for r in rows if r["org_type"] == "공공기관")["wants"] = "2"

    def bad(kind: str, sigun: str, name: str, **changes: str) -> dict[str, str]:
        row = _application(rng, kind, sigun, name, nearby)
        row.update(changes)
        return row

    gana = bad("중소기업", "수원시", "(주)가나")  # a good row; its twin below is the duplicate
    rows += [
        gana,
        # 연락처 one digit short
        bad("중소기업", "안양시", "(주)다솜인쇄", phone="010-1234-567"),
        # two e-mail addresses in one cell
        bad("벤처기업", "성남시", "별하센서(주)", email="sales@example.com, esg@example.net"),
        # 사업자등록번호 with a wrong check digit (124-81-00998 would be valid)
        bad("중견기업", "화성시", "(주)윤슬모터스", brn="124-81-00999"),
        # 개인정보동의 N: the row must not be used
        bad("중견기업", "평택시", "(주)초록나무식품", privacy_consent="N"),
        # required 기관명 left blank
        bad("스타트업", "고양시", "", contact_name="남궁하늘"),
        # the same organisation again, written differently: same 사업자등록번호, contact, address
        {**gana, "org_name": "주식회사 가나", "received_on": "2024-06-03", "special_program": "벽화 그리기"},
    ]
    rows.sort(key=lambda r: r["received_on"])
    return rows
