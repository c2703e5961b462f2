"""Messages per second: build + journal + send, through the loopback SMTP server and the outbox.

    uv run python benchmarks/bench_mail.py [--messages 200] [--attachment-kb 60]

Setup (not timed): a PDF-like attachment of the given size (random bytes behind a %PDF header,
so base64 cannot shrink it), a fresh journal file, the aiosmtpd server of tests/smtp_server.py on
127.0.0.1 (plain, or STARTTLS with its self-signed certificate trusted through cafile). Timed,
per message: ``new_message_id`` + ``build_message`` (Korean subject, text + HTML, the
attachment read from disk), ``journal.begin`` (committed, synchronous=FULL), ``transport.send``,
``journal.finish`` (committed). "one connection" reuses the SMTP connection as the notify step
does; "new connection each" closes it after every message (what ``yagmail.send()`` does).
Loopback numbers: no network latency, so they bound what the code itself costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the loopback SMTP server
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smtp_server import HOST, SmtpServer, TestCert, TlsMode

from automation.config import MailConfig
from automation.mail import (
    MailJournal,
    OutboxTransport,
    SendResult,
    SmtpTransport,
    Transport,
    build_message,
    new_message_id,
)
from automation.mail.transport import flatten

SENDER = "경기중기청 <onemarket@example.go.kr>"
SUBJECT = "[1社1市場] (주)한빛전자 — 수원 못골시장 협약 안내"
TEXT = "안녕하세요. 우리동네 1社-1市場 협력 프로젝트 협약서를 보내 드립니다.\n" * 20
HTML = "<p>" + TEXT.replace("\n", "<br>") + "</p>"


def pdf_like(folder: Path, kb: int) -> Path:
    path = folder / "협약서_(주)한빛전자_수원 못골시장.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(kb * 1024) + b"\n%%EOF\n")
    return path


def run(
    transport: Transport,
    journal: MailJournal | None,
    attachment: Path,
    count: int,
    after_each: Callable[[], None] = lambda: None,
) -> tuple[float, list[str]]:
    statuses: list[str] = []
    started = time.perf_counter()
    for n in range(count):
        message_id = new_message_id(SENDER)
        msg = build_message(
            sender=SENDER,
            to=f"org{n:04d}@org.example.kr",
            cc=["staff@example.go.kr"],
            subject=SUBJECT,
            text=TEXT,
            html=HTML,
            message_id=message_id,
            date=dt.datetime.now(),
            attachment=attachment,
        )
        entry = (
            journal.begin(
                f"M-{n:04d}",
                "org",
                "notice",
                recipient=f"org{n:04d}@org.example.kr",
                cc=["staff@example.go.kr"],
                subject=SUBJECT,
                message_id=message_id,
            )
            if journal
            else None
        )
        result = transport.send(msg)
        if journal is not None and entry is not None:
            journal.finish(entry, result)
        statuses.append(result.status)
        after_each()
    elapsed = time.perf_counter() - started
    transport.close()
    return elapsed, statuses


def _serve(conn: Connection, tls: TlsMode, cert: TestCert) -> None:
    """The SMTP server in its own process (in-process it would share the GIL with the client)."""
    with SmtpServer(tls=tls, cert=cert if tls != "none" else None) as server:
        conn.send(server.port)
        conn.recv()
        conn.send((len(server.messages), server.connections))


def smtp_case(
    tls: TlsMode, reuse: bool, cert: TestCert, journal: MailJournal, attachment: Path, count: int
) -> tuple[float, str]:
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=_serve, args=(theirs, tls, cert))
    child.start()
    try:
        cfg = MailConfig(
            transport="smtp",
            sender=SENDER,
            host=HOST,
            port=ours.recv(),
            starttls=tls == "starttls",
            cafile=cert.cert_path,
            timeout=10.0,
        )
        transport = SmtpTransport(cfg)
        elapsed, statuses = run(
            transport, journal, attachment, count, after_each=(lambda: None) if reuse else transport.close
        )
        ours.send("stop")
        stored, connections = ours.recv()
    finally:
        child.join(10)
    return elapsed, f"{_check(statuses)}; {stored} stored, {connections} connections"


def parts(attachment: Path, folder: Path, count: int) -> list[tuple[str, float]]:
    """Where the time goes, per message: building, flattening, the two journal commits."""
    started = time.perf_counter()
    messages = [
        build_message(
            sender=SENDER,
            to="a@b.kr",
            cc=[],
            subject=SUBJECT,
            text=TEXT,
            html=HTML,
            message_id=new_message_id(SENDER),
            date=dt.datetime.now(),
            attachment=attachment,
        )
        for _ in range(count)
    ]
    built = time.perf_counter()
    for msg in messages:
        flatten(msg)
    flat = time.perf_counter()
    with MailJournal(folder / "parts.sqlite3") as journal:
        for n in range(count):
            entry = journal.begin(
                f"M-{n:04d}", "org", "notice", recipient="a@b.kr", cc=[], subject=SUBJECT, message_id=f"<{n}@x>"
            )
            journal.finish(entry, SendResult("sent"))
    done = time.perf_counter()
    return [
        ("build_message", built - started),
        ("flatten (also done by send)", flat - built),
        ("journal begin + finish", done - flat),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--attachment-kb", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per case (the machine may be busy)")
    args = parser.parse_args()
    n = args.messages
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        attachment = pdf_like(folder, args.attachment_kb)
        cert = TestCert.create(folder / "cert")
        size = len(
            flatten(
                build_message(
                    sender=SENDER,
                    to="a@b.kr",
                    cc=[],
                    subject=SUBJECT,
                    text=TEXT,
                    html=HTML,
                    message_id="<x@y>",
                    date=dt.datetime.now(),
                    attachment=attachment,
                )
            )
        )
        counter = iter(range(10**6))

        def fresh() -> tuple[MailJournal, Path]:
            k = next(counter)
            return MailJournal(folder / f"journal{k}.sqlite3"), folder / f"outbox{k}"

        def best(case: Callable[[], tuple[float, str]]) -> tuple[float, str]:
            return min((case() for _ in range(args.repeat)), key=lambda r: r[0])

        for name, seconds in parts(attachment, folder, n):
            rows.append((f"part: {name}", seconds, ""))

        def outbox(with_journal: bool) -> tuple[float, str]:
            journal, out = fresh()
            elapsed, statuses = run(OutboxTransport(out), journal if with_journal else None, attachment, n)
            journal.close()
            return elapsed, f"{_check(statuses)}; {len(list(out.iterdir()))} files"

        rows.append(("outbox, no journal", *best(lambda: outbox(False))))
        rows.append(("outbox + journal", *best(lambda: outbox(True))))
        cases: tuple[tuple[str, TlsMode, bool], ...] = (
            ("SMTP plain, one connection", "none", True),
            ("SMTP STARTTLS, one connection", "starttls", True),
            ("SMTP plain, new connection each", "none", False),
            ("SMTP STARTTLS, new connection each", "starttls", False),
        )
        for label, tls, reuse in cases:

            def case(tls: TlsMode = tls, reuse: bool = reuse) -> tuple[float, str]:
                journal, _ = fresh()
                with journal:
                    return smtp_case(tls, reuse, cert, journal, attachment, n)

            rows.append((f"{label} + journal", *best(case)))
    print(
        f"{n} messages of {size / 1024:.0f} KB on the wire ({args.attachment_kb} KB attachment), best of "
        f"{args.repeat}; journal: SQLite synchronous=FULL, 2 commits per message; server: aiosmtpd on 127.0.0.1 "
        "in its own process\n"
    )
    print(
        f"| {'case (each row: build + send, journal where said)':<50} | {'seconds':>7} | {'msg/s':>7} | {'ms/msg':>6} "
        "| check |"
    )
    print(f"| {'-' * 50} | {'-' * 6}: | {'-' * 6}: | {'-' * 5}: | --- |")
    for case_name, seconds, check in rows:
        print(f"| {case_name:<50} | {seconds:>7.2f} | {n / seconds:>7.1f} | {1000 * seconds / n:>6.1f} | {check} |")


def _check(statuses: list[str]) -> str:
    bad = [s for s in statuses if s != "sent"]
    return "all sent" if not bad else f"{len(bad)} not sent: {sorted(set(bad))}"


if __name__ == "__main__":
    main()
