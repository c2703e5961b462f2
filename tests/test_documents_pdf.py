"""DOCX → PDF with the real LibreOffice: Korean font embedded, title visible, batches, failures.

Needs LibreOffice (soffice), poppler-utils (pdffonts, pdftoppm) and fonts-nanum; the tests that
convert are skipped with the reason when one is missing. The tests about a missing, failing or
hanging converter use small real shell scripts in place of soffice.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
import struct
import subprocess
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from test_documents_render import SAMPLE, sample

from automation.documents.docx import default_template, render_docx
from automation.documents.pdf import convert_to_pdf, find_soffice, is_docx
from automation.errors import DocumentError

SOFFICE = find_soffice()
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt install libreoffice-writer-nogui fonts-nanum"
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdffonts") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdffonts, pdftoppm) is not installed: apt install poppler-utils",
)
posix_only = pytest.mark.skipif(os.name == "nt", reason="uses /bin/sh scripts as a stand-in soffice")
NAME = "M-2026-0007_주식회사 한빛테크_못골시장"


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def _counting_soffice(tmp_path: Path) -> tuple[Path, Path]:
    """The real soffice behind a wrapper that logs each start (one line per process)."""
    assert SOFFICE is not None
    log = tmp_path / "starts.log"
    return _script(tmp_path / "soffice", f'printf "%s\\n" "$*" >> "{log}"\nexec "{SOFFICE}" "$@"\n'), log


def _docs(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(1, count + 1):
        path = folder / f"M-2026-{n:04d}_기관{n}_시장{n}.docx"
        render_docx(default_template(), sample(match_id=f"M-2026-{n:04d}", org_name=f"기관{n}"), path)
        paths.append(path)
    return paths


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered rows of an 8-bit, non-interlaced PNG (what pdftoppm writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        header = chunk if kind == b"IHDR" else header
        idat += chunk if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw, stride, rows, previous = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(row[::channels]) for row in rows]  # first channel is enough for black text


# --- the real converter ---------------------------------------------------------------------------


@needs_soffice
@needs_poppler
def test_sample_pdf_embeds_a_korean_font_and_shows_the_title(tmp_path: Path) -> None:
    docx = tmp_path / f"{NAME}.docx"
    render_docx(default_template(), SAMPLE, docx)
    assert SOFFICE is not None
    pdf = convert_to_pdf([docx], tmp_path / "pdf", SOFFICE)[docx]
    assert pdf == tmp_path / "pdf" / f"{NAME}.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    embedded = [line.split()[0] for line in fonts.splitlines()[2:] if re.search(r"\byes\s+yes\s+yes\b", line)]
    assert any(re.search(r"\+(Nanum|Malgun)", name) for name in embedded), fonts
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp_path / "page1")],
        check=True,
    )
    width, height, rows = _png_pixels(tmp_path / "page1.png")
    assert (width, height) == (414, 585)  # A4 at 50 dpi
    dark_top = sum(1 for row in rows[: height // 3] for value in row if value < 128)
    dark_title_band = sum(1 for row in rows[int(height * 0.07) : int(height * 0.13)] for value in row if value < 128)
    assert dark_top > 2000 and dark_title_band > 300


@needs_soffice
@posix_only
def test_one_process_per_batch(tmp_path: Path) -> None:
    soffice, log = _counting_soffice(tmp_path)
    docs = _docs(tmp_path / "docx", 3)
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / f"{docs[0].stem}.pdf").write_bytes(b"old")  # replaced
    result = convert_to_pdf(docs, tmp_path / "pdf", soffice)
    assert {d: p.name if p else None for d, p in result.items()} == {d: d.stem + ".pdf" for d in docs}
    assert all(p is not None and p.read_bytes()[:5] == b"%PDF-" for p in result.values())
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == sorted(d.stem + ".pdf" for d in docs)


@needs_soffice
@posix_only
def test_batches_run_side_by_side_each_process_with_its_own_profile(tmp_path: Path) -> None:
    soffice, log = _counting_soffice(tmp_path)
    docs = _docs(tmp_path / "docx", 3)
    result = convert_to_pdf(docs, tmp_path / "pdf", soffice, batch=2, workers=2)
    assert list(result) == docs and all(result.values())
    starts = log.read_text(encoding="utf-8").splitlines()
    profiles = [re.search(r"-env:UserInstallation=(\S+)", line).group(1) for line in starts]  # type: ignore[union-attr]
    assert len(starts) == 2 and len(set(profiles)) == 2
    assert sorted(line.count(".docx") for line in starts) == [1, 2]
    assert not any(Path(p.removeprefix("file://")).exists() for p in profiles)  # thrown away afterwards


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _random_bytes(path: Path) -> None:
    path.write_bytes(b"\x00\x17 not a word document \xff" * 100)


def _plain_text(path: Path) -> None:
    path.write_text("협약서인 척하는 글자 파일", encoding="utf-8")


def _document_part(replacement: bytes) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        data = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(path, "w") as zout:
            for item in zin.infolist():
                zout.writestr(item, replacement if item.filename == "word/document.xml" else zin.read(item))

    return spoil


def _missing(path: Path) -> None:
    path.unlink()


SPOILED: dict[str, Callable[[Path], None]] = {
    "truncated": _truncated,
    "random-bytes": _random_bytes,  # LibreOffice would "convert" this as plain text
    "plain-text": _plain_text,
    "broken-xml": _document_part(b"<w:document"),
    "empty-document-part": _document_part(b""),
    "missing": _missing,
}


@needs_soffice
@posix_only
def test_corrupt_docx_files_give_none_and_the_others_convert(tmp_path: Path) -> None:
    soffice, log = _counting_soffice(tmp_path)
    docs = _docs(tmp_path / "docx", 2 + len(SPOILED))
    good, spoiled = [docs[0], docs[-1]], dict(zip(SPOILED, docs[1:-1], strict=True))
    for name, path in spoiled.items():
        SPOILED[name](path)
    assert not any(is_docx(path) for path in spoiled.values())
    result = convert_to_pdf(docs, tmp_path / "pdf", soffice)
    assert {name: result[path] for name, path in spoiled.items()} == dict.fromkeys(SPOILED)
    assert [result[path] for path in good] == [tmp_path / "pdf" / f"{path.stem}.pdf" for path in good]
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == sorted(f"{path.stem}.pdf" for path in good)


@needs_soffice
def test_two_runs_at_once_do_not_collide(tmp_path: Path) -> None:
    assert SOFFICE is not None
    soffice = SOFFICE
    results: dict[str, dict[Path, Path | None]] = {}

    def run(name: str) -> None:
        results[name] = convert_to_pdf(_docs(tmp_path / name, 2), tmp_path / name / "pdf", soffice)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["a", "b"]
    assert all(pdf is not None for result in results.values() for pdf in result.values())


# --- a converter that is missing, fails or hangs --------------------------------------------------


def test_same_pdf_name_twice_is_refused(tmp_path: Path) -> None:
    docs = [_docs(tmp_path / "a", 1)[0], _docs(tmp_path / "b", 1)[0]]
    with pytest.raises(DocumentError) as caught:
        convert_to_pdf(docs, tmp_path / "pdf", tmp_path / "soffice")
    name = docs[0].name
    assert caught.value.message == (
        f"PDF 이름이 겹칩니다: {name}와(과) {name}이(가) 같은 {docs[0].stem}.pdf가 됩니다. "
        "협약서 파일 이름을 서로 다르게 하세요."
    )


def test_missing_soffice(tmp_path: Path) -> None:
    docs = _docs(tmp_path / "docx", 1)
    missing = tmp_path / "없는" / "soffice"
    with pytest.raises(DocumentError) as caught:
        convert_to_pdf(docs, tmp_path / "pdf", missing)
    assert caught.value.message == (
        f"LibreOffice(soffice)를 실행할 수 없습니다: {missing} (No such file or directory). "
        "LibreOffice를 설치하거나 [documents] soffice에 올바른 경로를 적으세요."
    )
    assert list((tmp_path / "pdf").iterdir()) == []


@posix_only
def test_failing_soffice(tmp_path: Path) -> None:
    soffice = _script(tmp_path / "soffice", 'echo "soffice.bin: error while loading shared libraries" >&2\nexit 77\n')
    with pytest.raises(DocumentError) as caught:
        convert_to_pdf(_docs(tmp_path / "docx", 2), tmp_path / "pdf", soffice)
    assert caught.value.message == (
        "LibreOffice(soffice)가 변환에 실패했습니다(종료 코드 77: soffice.bin: error while "
        "loading shared libraries). LibreOffice를 다시 설치하거나 [documents] soffice 경로를 "
        "확인하세요."
    )


@posix_only
def test_a_failing_batch_stops_the_batches_not_yet_started(tmp_path: Path) -> None:
    log = tmp_path / "starts.log"
    soffice = _script(tmp_path / "soffice", f'echo start >> "{log}"\necho "broken" >&2\nexit 1\n')
    with pytest.raises(DocumentError, match="종료 코드 1: broken"):
        convert_to_pdf(_docs(tmp_path / "docx", 4), tmp_path / "pdf", soffice, batch=1, workers=1)
    assert log.read_text(encoding="utf-8").splitlines() == ["start"]


@posix_only
def test_soffice_that_succeeds_without_output_gives_none(tmp_path: Path) -> None:
    docs = _docs(tmp_path / "docx", 2)
    assert convert_to_pdf(docs, tmp_path / "pdf", _script(tmp_path / "soffice", "exit 0\n")) == dict.fromkeys(docs)


@posix_only
def test_hanging_soffice_is_stopped(tmp_path: Path) -> None:
    soffice = _script(tmp_path / "soffice", f'sleep 60 &\necho $! > "{tmp_path / "child.pid"}"\nwait\n')
    started = time.monotonic()
    with pytest.raises(DocumentError) as caught:
        convert_to_pdf(_docs(tmp_path / "docx", 1), tmp_path / "pdf", soffice, timeout=1.5)
    assert time.monotonic() - started < 15
    assert caught.value.message == (
        "LibreOffice가 1.5초 안에 PDF 변환을 끝내지 못해 멈췄습니다. 열려 있는 LibreOffice "
        '창을 모두 닫고 다시 실행하거나, [documents] pdf = "never"로 .docx만 만드세요.'
    )
    child = int((tmp_path / "child.pid").read_text(encoding="utf-8"))
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]
    assert [p.name for p in (tmp_path / "pdf").iterdir()] == []


@pytest.mark.parametrize("options", [{"batch": 0}, {"workers": 0}], ids=["batch-0", "workers-0"])
def test_batch_and_workers_must_be_positive(tmp_path: Path, options: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="batch and workers must be at least 1"):
        convert_to_pdf([], tmp_path, tmp_path / "soffice", **options)  # type: ignore[arg-type]


def test_nothing_to_convert(tmp_path: Path) -> None:
    assert convert_to_pdf([], tmp_path / "pdf", tmp_path / "soffice") == {}


# --- finding soffice ------------------------------------------------------------------------------


@posix_only
def test_configured_path_first(tmp_path: Path) -> None:
    mine = _script(tmp_path / "my soffice", "exit 0\n")
    assert find_soffice(str(mine)) == mine


@posix_only
@pytest.mark.parametrize("name", ["soffice", "libreoffice"])
def test_found_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    _script(tmp_path / name, "exit 0\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_soffice() == tmp_path / name
    assert find_soffice(str(tmp_path / "없는 경로")) == tmp_path / name  # a wrong setting falls back to the search


@posix_only
def test_found_in_program_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "LibreOffice" / "program" / "soffice.exe"
    exe.parent.mkdir(parents=True)
    _script(exe, "exit 0\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("PROGRAMFILES", str(tmp_path))
    assert find_soffice() == exe


@posix_only
def test_not_executable_is_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "soffice"
    plain.write_text("not a program", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path))
    found = find_soffice(str(plain))
    assert found != plain


def _soffice_groups(group: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == group:
                out.append(int(entry.name))
    return out


@needs_soffice
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to see LibreOffice's processes")
def test_a_killed_parent_leaves_no_soffice_and_no_copies_after_the_next_sweep(tmp_path):
    """SIGKILL of the job while LibreOffice converts: soffice keeps running and the temporary
    copies of agreements stay — until the next conversion (or agreements step) sweeps them."""
    import json
    import signal
    import sys

    from automation.documents.pdf import WORK_PREFIX, sweep_leftovers

    docs = tmp_path / "docs"
    docs.mkdir()
    template = default_template()
    files = []
    for n in range(6):
        path = docs / f"{NAME}_{n}.docx"
        render_docx(template, sample(), path)
        files.append(str(path))
    out = tmp_path / "agreements"
    code = (
        "import sys; from pathlib import Path; from automation.documents.pdf import convert_to_pdf; "
        f"convert_to_pdf([Path(p) for p in {files!r}], Path({str(out)!r}), Path({str(SOFFICE)!r}))"
    )
    parent = subprocess.Popen([sys.executable, "-c", code])
    group = 0
    deadline = time.monotonic() + 60
    while not group and time.monotonic() < deadline:
        for owner in out.glob(WORK_PREFIX + "*/owner.json"):
            with contextlib.suppress(OSError, ValueError):
                group = int(json.loads(owner.read_text()).get("group", 0))
        time.sleep(0.05)
    assert group, "the conversion never started"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    time.sleep(0.5)
    assert _soffice_groups(group), "LibreOffice is gone by itself (nothing to sweep)"
    assert list(out.glob(WORK_PREFIX + "*"))
    assert sweep_leftovers(out) == 1
    deadline = time.monotonic() + 10
    while _soffice_groups(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _soffice_groups(group) == []
    assert list(out.glob(WORK_PREFIX + "*")) == []


def test_the_sweep_leaves_a_conversion_whose_parent_is_alive(tmp_path):
    import json

    from automation.documents.pdf import WORK_PREFIX, sweep_leftovers

    busy = tmp_path / (WORK_PREFIX + "busy")
    busy.mkdir(parents=True)
    (busy / "owner.json").write_text(json.dumps({"parent": os.getppid(), "group": 0}))
    old = tmp_path / (WORK_PREFIX + "old")
    old.mkdir()
    (old / "in0001.docx").write_bytes(b"copy of an agreement")
    assert sweep_leftovers(tmp_path) == 1
    assert busy.is_dir() and not old.exists()
