"""Short Korean reasons for SMTP replies and network failures ("550 5.1.1 수신자 없음").

They end up in the journal and, shortened, on the sheet ("발송실패: 550 5.1.1 수신자 없음"), so they
keep the server's codes (what a mail administrator asks for) and say in Korean what happened.
"""

from __future__ import annotations

import re
import socket
import ssl

_ENHANCED = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")
# Enhanced status codes (RFC 3463) first, then the basic reply code, then the reply class.
_BY_ENHANCED = {
    "5.1.1": "수신자 없음 — 이메일 주소 확인",
    "5.1.2": "받는 도메인 없음 — 이메일 주소 확인",
    "5.1.3": "주소 형식 오류 — 이메일 주소 확인",
    "5.1.10": "수신자 없음 — 이메일 주소 확인",
    "4.2.1": "수신함 일시 사용 불가",
    "5.2.1": "수신함 사용 중지됨",
    "4.2.2": "수신함 용량 초과",
    "5.2.2": "수신함 용량 초과",
    "5.2.3": "메일 크기 초과",
    "5.3.4": "메일 크기 초과",
    "4.7.1": "서버가 일시 거부(발송 제한)",
    "5.7.1": "서버가 거부(보안 정책)",
}
_BY_CODE = {
    421: "메일 서버 일시 중단",
    450: "수신함 일시 사용 불가",
    451: "메일 서버 일시 오류",
    452: "메일 서버 저장 공간 부족",
    454: "메일 서버 일시 오류",
    530: "로그인 필요",
    535: "로그인 거부",
    550: "수신 거부 — 이메일 주소 확인",
    551: "수신자 없음 — 이메일 주소 확인",
    552: "메일 크기 또는 용량 초과",
    553: "주소 형식 거부 — 이메일 주소 확인",
    554: "서버가 거부",
}


def describe(code: int, reply: bytes | str = b"") -> str:
    """``"550 5.1.1 수신자 없음 — 이메일 주소 확인"``; the server's own words when the code is unusual."""
    raw = reply.encode("utf-8", "replace") if isinstance(reply, str) else reply
    match = _ENHANCED.match(raw)
    enhanced = match.group(1).decode() if match else ""
    korean = _BY_ENHANCED.get(enhanced) or _BY_CODE.get(code)
    if korean is None:
        kind = "일시 오류" if 400 <= code < 500 else "거부" if code >= 500 else "예상 밖 응답"
        said = raw[match.end() :] if match else raw
        text = " ".join(said.decode("utf-8", "replace").split())[:60]
        korean = f"메일 서버 {kind}" + (f" ({text})" if text else "")
    return " ".join(part for part in (str(code), enhanced, korean) if part)


def network_reason(exc: BaseException) -> str:
    """What went wrong on the wire, in a few Korean words."""
    if isinstance(exc, ConnectionRefusedError):
        return "메일 서버 연결 거부"
    if isinstance(exc, TimeoutError | socket.timeout) or "timed out" in str(exc):
        return "메일 서버 응답 없음(시간 초과)"
    if isinstance(exc, socket.gaierror):
        return "메일 서버 주소를 찾을 수 없음"
    if isinstance(exc, ssl.SSLError):
        return f"암호화 연결 오류({exc.reason or exc})"
    return "메일 서버 연결 끊김"
