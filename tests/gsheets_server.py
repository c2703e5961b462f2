"""A loopback Google Sheets API v4 server (with an OAuth token endpoint) for tests.

Google is unreachable from the machines these tests run on, and no open-source Sheets v4 emulator
exists (gspread's own suite replays recorded traffic), so this server is the one honest stand-in:
gspread's real HTTP client and google-auth's real service-account token exchange talk HTTP to it
on 127.0.0.1. It follows the public v4 REST reference for the calls onemarket makes and nothing
more: ``POST /token`` (JWT bearer grant; the assertion's RS256 signature is verified when the
server knows the public key), ``GET /v4/spreadsheets/{id}`` (``fields`` is recorded, not
honoured), ``values:batchGet``, ``values:batchUpdate``, ``values/{range}:append`` and
``spreadsheets:batchUpdate`` (atomic, see :func:`gsheets_requests.apply_request`). Errors use
Google's JSON shape ``{"error": {"code", "message", "status"}}``. What it does not model is
listed in :mod:`gsheets_model`; quotas exist only as scripted :class:`Fault` answers.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from gsheets_model import (
    ApiError,
    Book,
    Span,
    Tab,
    letter,
    parse_range,
    quote,
    read,
    write,
)
from gsheets_requests import apply_request, spreadsheet_with_grid
from people import Edit, Journal, allowed, apply_tab, resolve

GOOGLE_TOKEN_AUD = "https://oauth2.googleapis.com/token"  # google-auth always sends this aud
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
HTML_502 = (
    "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error 502 (Server Error)!!1"
    "</title><p><b>502.</b> <ins>That's an error.</ins><p>The server encountered a "
    "temporary error and could not complete your request.<p>Please try again in 30 "
    "seconds. <ins>That's all we know.</ins></html>"
)


@dataclass
class Fault:
    """A scripted answer for the next Sheets request (of ``kind``, if given).

    Token requests only take faults whose ``kind`` is ``"token"``.

    ``stall`` seconds pass before answering; with ``status`` None the request is then processed
    normally (a late answer: a write still lands, after the client gave up).
    """

    status: int | None = 503
    message: str = "The service is currently unavailable."
    html: bool = False
    retry_after: str | None = None
    stall: float = 0.0
    kind: str | None = None
    #: runs after the stall, just before the request is processed (a person's edit made while the
    #: request hung; with ``status`` None the request then lands after it)
    then: Callable[[SheetsServer], None] | None = None

    @classmethod
    def rate_limited(cls, retry_after: float | None = None, kind: str | None = None) -> Fault:
        return cls(
            429,
            "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user'",
            kind=kind,
            retry_after=None if retry_after is None else str(retry_after),
        )

    @classmethod
    def bad_gateway_html(cls, kind: str | None = None) -> Fault:
        return cls(502, html=True, kind=kind)

    @classmethod
    def stalled(
        cls, seconds: float, kind: str | None = None, then: Callable[[SheetsServer], None] | None = None
    ) -> Fault:
        return cls(None, stall=seconds, kind=kind, then=then)


@dataclass
class Logged:
    """One request as received; ``status`` is 0 until it is answered (e.g. while stalled)."""

    method: str
    path: str
    query: dict[str, list[str]]
    kind: str
    status: int
    body: Any = field(default=None, compare=False)


_ROUTES: tuple[tuple[str, str, str], ...] = (
    ("GET", "/values:batchGet", "values.batchGet"),
    ("POST", "/values:batchUpdate", "values.batchUpdate"),
    ("POST", ":append", "values.append"),
    ("POST", ":batchUpdate", "spreadsheets.batchUpdate"),
    ("GET", "", "spreadsheets.get"),
)


def _named_ids(value: Any) -> tuple[set[Any], set[Any]]:
    """Every ``sheetId``, and every protected range or chart id, named anywhere in a batch."""
    sheets: set[Any] = set()
    objects: set[Any] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if k == "sheetId":
                    sheets.add(v)
                elif k in ("protectedRangeId", "objectId"):
                    objects.add(v)
                else:
                    stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
    return sheets, objects


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SheetsServer:
    """Use as a context manager; ``url`` is the endpoint, ``token_uri`` the token endpoint."""

    def __init__(self, public_key: rsa.RSAPublicKey | None = None, client_email: str | None = None) -> None:
        self.public_key, self.client_email = public_key, client_email
        self.books: dict[str, Book] = {}
        self.log: list[Logged] = []
        self.faults: list[Fault] = []
        self.token_claims: list[dict[str, Any]] = []
        self.revoked = False
        self._tokens: set[str] = set()
        self._hooks: list[tuple[str | None, Callable[[SheetsServer], None]]] = []
        self._at: dict[int, list[Callable[[SheetsServer], None]]] = {}
        self.sheets_requests = 0
        self.people = Journal()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # else each answer waits ~40 ms for a delayed ACK

            def do_GET(self) -> None:
                server._serve(self)

            def do_POST(self) -> None:
                server._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    # -- lifecycle and helpers for tests --------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    def __enter__(self) -> SheetsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def create_spreadsheet(
        self,
        key: str,
        tabs: Mapping[str, Sequence[Sequence[str]]] | None = None,
        *,
        shared: bool = True,
        title: str = "onemarket",
    ) -> Book:
        book = Book(key, title, shared=shared)
        for name, rows in (tabs or {"Sheet1": []}).items():
            book.add(name, [list(r) for r in rows])
        with self._lock:
            self.books[key] = book
        return book

    def tab(self, key: str, title: str) -> Tab:
        return self.books[key].tab(title)

    def values(self, key: str, title: str) -> list[list[str]]:
        with self._lock:
            return self.tab(key, title).values()

    def set_values(self, key: str, title: str, rows: Sequence[Sequence[str]]) -> None:
        with self._lock:
            self.tab(key, title).rows = [list(r) for r in rows]

    def on_next(self, kind: str | None, hook: Callable[[SheetsServer], None]) -> None:
        """Run ``hook(server)`` once, just before the next request of ``kind`` is handled."""
        self._hooks.append((kind, hook))

    def before_request(self, n: int, hook: Callable[[SheetsServer], None]) -> None:
        """Run ``hook(server)`` just before the n-th Sheets request from now (1 = the next one)."""
        with self._lock:
            self._at.setdefault(self.sheets_requests + n, []).append(hook)

    def person(self, key: str, title: str, edit: Edit) -> bool:
        """A person's edit in the browser, under Google's protection rules (:mod:`people`)."""
        with self._lock:
            tab = self.tab(key, title)
            if resolve(tab.rows, edit) is None:
                return False  # the row it is about is gone: nothing to do
            ok = allowed(tab, edit) and apply_tab(tab, edit)
            (self.people.applied if ok else self.people.refused).append((title, edit))
            return ok

    def script(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def requests(self, kind: str | None = None) -> list[Logged]:
        with self._lock:
            return [e for e in self.log if kind is None or e.kind == kind]

    def count(self, kind: str | None = None) -> int:
        """Sheets API requests (all kinds but ``token`` when ``kind`` is None)."""
        return sum(1 for e in self.requests(kind) if kind is not None or e.kind != "token")

    # -- HTTP -------------------------------------------------------------------------------

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        kind = "token" if parts.path == "/token" else self._kind(h.command, parts.path)
        body: Any = None
        entry = Logged(h.command, parts.path, query, kind, 0)
        with self._lock:
            self.log.append(entry)
            if kind != "token":
                self.sheets_requests += 1
                due = self._at.pop(self.sheets_requests, [])
            else:
                due = []
        for hook in due:
            hook(self)
        status, payload, headers = 200, b"", {"Content-Type": "application/json; charset=UTF-8"}
        try:
            if kind == "token":
                scripted = self._scripted(kind, headers)
                if scripted is not None:
                    status, payload, headers = scripted
                else:
                    status, answer = self._token(raw)
                    payload = json.dumps(answer).encode()
            else:
                body = entry.body = json.loads(raw) if raw else None
                status, payload, headers = self._sheets(h, kind, parts.path, query, body, headers)
        except ApiError as exc:
            status, payload = exc.code, json.dumps(exc.body()).encode()
        except (ValueError, KeyError, TypeError) as exc:
            status = 400
            payload = json.dumps(ApiError(400, f"Invalid JSON payload received. {exc}").body()).encode()
        entry.status = status
        try:
            h.send_response(status)
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
        except OSError:  # the client timed out and went away
            pass

    @staticmethod
    def _kind(method: str, path: str) -> str:
        if path.startswith("/v4/spreadsheets/"):
            for want, suffix, name in _ROUTES:
                if method == want and path.endswith(suffix) and (suffix or ":" not in path):
                    return name
        return "unknown"

    def _scripted(self, kind: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]] | None:
        """Run a pending hook and consume a fault for this request, if any."""
        wanted = (kind,) if kind == "token" else (None, kind)
        with self._lock:
            hooks = [x for x in self._hooks if x[0] in wanted][:1]
            fault = next((f for f in self.faults if f.kind in wanted), None)
            for x in hooks:
                self._hooks.remove(x)
            if fault is not None:
                self.faults.remove(fault)
        for _, hook in hooks:
            hook(self)
        if fault is None:
            return None
        if fault.stall:
            self._stop.wait(fault.stall)
        if fault.then is not None:
            fault.then(self)
        if fault.status is None:
            return None
        out = dict(headers)
        if fault.retry_after is not None:
            out["Retry-After"] = fault.retry_after
        if fault.html:
            out["Content-Type"] = "text/html; charset=UTF-8"
            return fault.status, HTML_502.encode(), out
        return fault.status, json.dumps(ApiError(fault.status, fault.message).body()).encode(), out

    def _sheets(
        self,
        h: BaseHTTPRequestHandler,
        kind: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        headers: dict[str, str],
    ) -> tuple[int, bytes, dict[str, str]]:
        scripted = self._scripted(kind, headers)
        if scripted is not None:
            return scripted
        auth = h.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self._tokens:
            raise ApiError(
                401,
                "Request had invalid authentication credentials. Expected OAuth "
                "2 access token, login cookie or other valid authentication "
                "credential.",
            )
        if kind == "unknown":
            raise ApiError(404, "Method not found.")
        key = path[len("/v4/spreadsheets/") :].split("/")[0].split(":")[0]
        with self._lock:
            book = self.books.get(key)
            if book is None:
                raise ApiError(404, "Requested entity was not found.")
            if not book.shared:
                raise ApiError(403, "The caller does not have permission")
            answer = self._dispatch(book, kind, path, query, body or {})
        return 200, json.dumps(answer, ensure_ascii=False).encode(), headers

    def _dispatch(
        self, book: Book, kind: str, path: str, query: dict[str, list[str]], body: dict[str, Any]
    ) -> dict[str, Any]:
        if kind == "spreadsheets.get":
            return book.metadata()
        if kind == "values.batchGet":
            ranges = query.get("ranges", [])
            if query.get("majorDimension", ["ROWS"]) != ["ROWS"]:
                raise ApiError(400, "only ROWS is implemented here")
            spans = [parse_range(book, r) for r in ranges]
            return {
                "spreadsheetId": book.key,
                "valueRanges": [
                    {"range": s.a1(), "majorDimension": "ROWS", **({"values": v} if (v := read(s)) else {})}
                    for s in spans
                ],
            }
        if kind == "values.batchUpdate":
            option = body.get("valueInputOption")
            if option not in ("RAW", "USER_ENTERED"):
                raise ApiError(400, "'valueInputOption' is required but not specified")
            data = body.get("data", [])
            spans = [parse_range(book, d["range"]) for d in data]
            cells = sum(write(s, d.get("values", []), option) for s, d in zip(spans, data, strict=True))
            return {
                "spreadsheetId": book.key,
                "totalUpdatedCells": cells,
                "totalUpdatedSheets": len({s.tab.title for s in spans}),
                "responses": [{"updatedRange": s.a1()} for s in spans],
            }
        if kind == "values.append":
            option = (query.get("valueInputOption") or [""])[0]
            if option not in ("RAW", "USER_ENTERED"):
                raise ApiError(400, "'valueInputOption' is required but not specified")
            rng = unquote(path.rsplit("/values/", 1)[1][: -len(":append")])
            span = parse_range(book, rng)
            last, values = span.tab.last_row(), body.get("values", [])
            insert = (query.get("insertDataOption") or ["OVERWRITE"])[0] == "INSERT_ROWS"
            cells = write(Span(span.tab, last, None, span.c0, None), values, option, insert)
            width = max((len(r) for r in values), default=1)
            updated = (
                f"{quote(span.tab.title)}!{letter(span.c0)}{last + 1}:{letter(span.c0 + width - 1)}{last + len(values)}"
            )
            return {
                "spreadsheetId": book.key,
                "tableRange": span.a1(),
                "updates": {
                    "spreadsheetId": book.key,
                    "updatedRange": updated,
                    "updatedRows": len(values),
                    "updatedCells": cells,
                },
            }
        # spreadsheets.batchUpdate is atomic: on any error, the snapshot comes back (only the tabs
        # the batch names are copied — a full copy of a 10,000-row book per batch would dominate the
        # benchmarks' time, which is about the product, not this server)
        touched, objects = _named_ids(body.get("requests", []))
        order, next_id = list(book.tabs), book.next_id
        saved = {
            id(t): copy.deepcopy(t)
            for t in book.tabs
            if t.sheet_id in touched
            or any(p.get("protectedRangeId") in objects for p in t.protected)
            or any(c.get("chartId") in objects for c in t.charts)
        }
        try:
            replies = [apply_request(book, i, r) for i, r in enumerate(body.get("requests", []))]
        except Exception:
            book.tabs = [saved.get(id(t), t) for t in order]
            book.next_id = next_id
            raise
        answer: dict[str, Any] = {"spreadsheetId": book.key, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            answer["updatedSpreadsheet"] = spreadsheet_with_grid(
                book, body.get("responseRanges") or [], bool(body.get("responseIncludeGridData"))
            )
        return answer

    # -- OAuth ------------------------------------------------------------------------------

    def _token(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        form = parse_qs(raw.decode())
        if form.get("grant_type") != [JWT_GRANT] or not form.get("assertion"):
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant"}
        invalid = (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        try:
            head, claims_b64, sig = form["assertion"][0].split(".")
            claims = json.loads(_b64(claims_b64))
            if self.public_key is not None:
                self.public_key.verify(_b64(sig), f"{head}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except (ValueError, InvalidSignature):
            return invalid
        with self._lock:
            self.token_claims.append(claims)
            if self.revoked:
                return invalid
            if self.client_email and claims.get("iss") != self.client_email:
                return 400, {"error": "invalid_grant", "error_description": "Invalid issuer"}
            if claims.get("aud") not in (GOOGLE_TOKEN_AUD, self.token_uri) or claims.get("exp", 0) < time.time():
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Invalid JWT: "
                    "Token must be a short-lived token and in a reasonable timeframe.",
                }
            token = f"ya29.test-{len(self._tokens) + 1}"
            self._tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def revoke_tokens(self) -> None:
        """Forget issued access tokens (the next API call gets 401 and must refresh)."""
        with self._lock:
            self._tokens.clear()
