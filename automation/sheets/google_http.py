"""Transport for the Google backend: credentials, gspread's HTTP client, bounded retry.

Requests are sent by gspread's own :class:`gspread.HTTPClient` methods; :class:`SheetsHTTPClient`
only overrides ``request()`` to rewrite ``https://sheets.googleapis.com`` to the configured
endpoint, set a timeout and retry (never gspread's ``BackOffHTTPClient``, see PITFALLS.md).

Retried: 429, 500, 502, 503, 504, non-JSON (HTML) error pages, timeouts and connection errors —
full jitter, ``Retry-After`` honoured, at most ``max_attempts`` attempts and never past
``deadline`` seconds (a ``Retry-After`` beyond the deadline ends the retries at once). A timeout of
a POST other than ``values:batchUpdate`` (``values:append``, ``spreadsheets:batchUpdate``) is not
retried: Google may have applied it, and a second copy would duplicate rows or fail.
Final outcomes are raised as :class:`Failure` and mapped to Korean errors once, by the backend.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import gspread
import requests
from google.auth.exceptions import GoogleAuthError as _AuthLibError
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession
from google.auth.transport.requests import Request as _TokenRequestBase
from google.oauth2 import service_account
from urllib3.exceptions import NewConnectionError

from automation.config import DEFAULT_ENDPOINT
from automation.errors import ConfigError, GoogleAuthError

SCOPE = "https://www.googleapis.com/auth/spreadsheets"
GOOGLE_API = "https://sheets.googleapis.com"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
CREDENTIALS_HELP = "credentials.example.json과 README의 '구글 시트로 바꾸기' 절을 참고하세요."


@dataclass(frozen=True)
class RetryPolicy:
    timeout: float = 30.0
    max_attempts: int = 6
    deadline: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: Callable[[], float] = random.random
    base: float = 0.5
    cap: float = 32.0


class Failure(Exception):
    """The final outcome of one logical request (kind: auth, http, unavailable, uncertain)."""

    def __init__(self, kind: str, attempts: int, elapsed: float, status: int = 0, detail: str = "") -> None:
        super().__init__(f"{kind} {status} {detail}")
        self.kind, self.attempts, self.elapsed = kind, attempts, elapsed
        self.status, self.detail = status, detail


def google_message(resp: requests.Response) -> tuple[bool, str]:
    """(is the body JSON, Google's error message or a short snippet of the page)."""
    try:
        body = resp.json()
    except ValueError:
        return False, " ".join(resp.text.split())[:200]
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return True, str(body["error"].get("message", ""))
    return True, json.dumps(body, ensure_ascii=False)[:200]


def retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _maybe_sent(exc: requests.RequestException) -> bool:
    """False when the request certainly never reached the server (the connect failed)."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return not isinstance(reason, NewConnectionError)


class _TokenRequest(_TokenRequestBase):
    """google-auth's token transport, counted and never without a timeout.

    A 429/5xx from the token endpoint is raised as ``TransportError`` so that google-auth's own
    retry (real ``time.sleep``) is skipped and :class:`SheetsHTTPClient` retries instead.
    """

    def __init__(self, client: SheetsHTTPClient) -> None:
        super().__init__(requests.Session())
        self._client = client

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        self._client.token_requests += 1
        limit = self._client.policy.timeout
        timeout = limit if timeout is None else min(timeout, limit)
        response = super().__call__(  # type: ignore[no-untyped-call]
            url, method, body, headers, timeout=timeout, **kwargs
        )
        if response.status in RETRY_STATUS:  # retried by our policy, not google-auth's sleeps
            raise TransportError(  # type: ignore[no-untyped-call]
                f"토큰 서버 HTTP {response.status}"
            )
        return response


class _CountingSession(AuthorizedSession):
    """Counts every HTTP attempt sent to the Sheets API (google-auth's 401 resend included)."""

    def __init__(self, credentials: Any, client: SheetsHTTPClient) -> None:
        super().__init__(  # type: ignore[no-untyped-call]
            credentials, auth_request=_TokenRequest(client)
        )
        self._client = client

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self._client.on_attempt()
        return super().send(request, **kwargs)


class SheetsHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client with endpoint rewrite, timeout and a bounded retry."""

    def __init__(self, auth: Any, policy: RetryPolicy, endpoint: str = DEFAULT_ENDPOINT) -> None:
        super().__init__(auth)
        self.policy = policy
        self.endpoint = endpoint.rstrip("/")
        self.token_requests = 0
        self.on_attempt: Callable[[], None] = lambda: None
        self.session = _CountingSession(self.auth, self)
        self.set_timeout(policy.timeout)

    def url(self, url: str) -> str:
        if url.startswith(GOOGLE_API + "/"):
            return self.endpoint + url[len(GOOGLE_API) :]
        return url

    def request(
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: Any = None,
        json: Any = None,
        files: Any = None,
        headers: Any = None,
    ) -> requests.Response:
        url = self.url(endpoint)
        repeatable = method.lower() == "get" or url.endswith("/values:batchUpdate")
        p = self.policy
        start = p.clock()
        attempt = 0
        while True:
            attempt += 1
            timeout = max(0.05, min(p.timeout, p.deadline - (p.clock() - start)))
            wait: float | None = None
            status = 0
            try:
                resp = self.session.request(
                    method=method,
                    url=url,
                    params=params,
                    data=data,
                    json=json,
                    files=files,
                    headers=headers,
                    timeout=timeout,
                )
            except RefreshError as exc:
                if not getattr(exc, "retryable", False):
                    raise Failure("auth", attempt, p.clock() - start, detail=str(exc)) from exc
                detail = f"토큰 발급 실패 ({exc})"
            except TransportError as exc:  # the token endpoint did not answer
                detail = f"토큰 서버 연결 실패 ({exc})"
            except requests.RequestException as exc:
                what = "시간 초과" if isinstance(exc, requests.Timeout) else "연결 오류"
                detail = f"{what} ({type(exc).__name__})"
                if not repeatable and _maybe_sent(exc):
                    raise Failure("uncertain", attempt, p.clock() - start, detail=detail) from exc
            else:
                if resp.ok:
                    return resp
                status = resp.status_code
                is_json, message = google_message(resp)
                if status not in RETRY_STATUS and is_json:
                    kind = "auth" if status == 401 else "http"
                    raise Failure(kind, attempt, p.clock() - start, status, message)
                detail = f"HTTP {status} {message}".strip()
                wait = retry_after(resp)
            delay = p.rng() * min(p.cap, p.base * 2 ** (attempt - 1))
            if wait is not None:
                delay = max(delay, wait)
            elapsed = p.clock() - start
            if attempt >= p.max_attempts or elapsed + delay >= p.deadline:
                raise Failure("unavailable", attempt, elapsed, status, detail)
            p.sleep(delay)


def load_credentials(path: Path | None) -> service_account.Credentials:
    """The service-account key file → credentials limited to the spreadsheets scope."""
    if path is None:
        raise ConfigError(
            "Google 서비스 계정 키 파일이 지정되지 않았습니다. onemarket.toml의 "
            "[google] credentials 또는 환경 변수 ONEMARKET_GOOGLE_CREDENTIALS에 "
            f"JSON 키 파일 경로를 적으세요. {CREDENTIALS_HELP}"
        )
    if not path.is_file():
        raise ConfigError(
            f"서비스 계정 키 파일이 없습니다: {path}. Google Cloud 콘솔에서 서비스 계정의 "
            "JSON 키를 내려받아 이 경로에 두거나 [google] credentials 경로를 고치세요. "
            f"{CREDENTIALS_HELP}"
        )
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GoogleAuthError(
            f"서비스 계정 키 파일을 읽을 수 없습니다: {path} ({exc.strerror}). "
            f"파일 권한을 확인하세요. {CREDENTIALS_HELP}"
        ) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise GoogleAuthError(
            f"서비스 계정 키 파일이 JSON이 아닙니다: {path}. Google Cloud 콘솔에서 "
            f"JSON 형식 키를 다시 내려받으세요. {CREDENTIALS_HELP}"
        ) from exc
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise GoogleAuthError(
            f'{path}은(는) 서비스 계정 키가 아닙니다("type": "service_account" 필요). '
            "OAuth 클라이언트 파일이 아니라 서비스 계정의 키(JSON)를 내려받으세요. "
            f"{CREDENTIALS_HELP}"
        )
    try:
        creds = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
            str(path), scopes=[SCOPE]
        )
    except (ValueError, _AuthLibError) as exc:
        raise GoogleAuthError(
            f"서비스 계정 키 파일 {path}이(가) 손상되었거나 항목이 빠졌습니다 ({exc}). "
            f"새 키를 만들어 파일을 교체하세요. {CREDENTIALS_HELP}"
        ) from exc
    return cast(service_account.Credentials, creds)
