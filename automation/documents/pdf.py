"""DOCX → PDF with LibreOffice headless, many files per process.

Starting LibreOffice costs about a second, so one ``soffice`` process converts a whole batch. Each
process gets its own throw-away profile (``-env:UserInstallation``): two runs at once, or a user's
open LibreOffice window, never hand work to each other or fight over a lock. Inputs are copied
under plain ASCII names first (no trouble with Korean names, a leading ``-`` or the locale), and a
file that is not a real .docx never reaches LibreOffice (it would "convert" random bytes as plain
text). PDFs are written into a temporary folder inside ``outdir`` and moved into place with
``os.replace``, so a PDF under its final name is always complete.

A kill of the parent (SIGKILL, a closed terminal) must not leave LibreOffice running nor copies of
agreements (personal data) behind: the temporary folder (``.onemarket-pdf-*``, the profile inside
it) holds an ``owner.json`` naming the parent's PID and soffice's process group, and every
conversion first sweeps the folders of parents that are gone — killing their soffice group and
deleting the folder (:func:`sweep_leftovers`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

from automation.documents.stable import stable_pdf
from automation.errors import DocumentError
from automation.processes import pid_alive

log = logging.getLogger("onemarket.documents")
_NAMES = ("soffice", "libreoffice")


def _runnable(path: Path) -> bool:
    return path.is_file() and (os.name == "nt" or os.access(path, os.X_OK))


def _install_paths() -> list[Path]:
    """Where LibreOffice usually lives when it is not on PATH (Windows, macOS, Linux tarballs)."""
    paths = [
        Path(os.environ[var]) / "LibreOffice" / "program" / "soffice.exe"
        for var in ("PROGRAMFILES", "PROGRAMW6432", "PROGRAMFILES(X86)")
        if os.environ.get(var)
    ]
    paths += [
        Path(r"C:\Program Files\LibreOffice\program\soffice.exe"),
        Path(r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"),
        Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
        Path.home() / "Applications" / "LibreOffice.app" / "Contents" / "MacOS" / "soffice",
        Path("/usr/lib/libreoffice/program/soffice"),
        Path("/usr/local/bin/soffice"),
    ]
    return paths + sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True)


def find_soffice(configured: str = "") -> Path | None:
    """LibreOffice's ``soffice``: the configured path (or command name), then PATH, then usual install places."""
    if configured.strip():
        given = Path(configured.strip()).expanduser()
        if _runnable(given):
            return given
        on_path = shutil.which(configured.strip())
        if on_path:
            return Path(on_path)
        log.warning("configured soffice %s not found; searching PATH and the usual places", configured)
    for name in _NAMES:
        on_path = shutil.which(name)
        if on_path:
            return Path(on_path)
    return next((path for path in _install_paths() if _runnable(path)), None)


def is_docx(path: Path) -> bool:
    """A readable zip with intact CRCs and a well-formed Word document part."""
    try:
        with zipfile.ZipFile(path) as archive:
            if "[Content_Types].xml" not in archive.namelist() or archive.testzip() is not None:
                return False
            ElementTree.fromstring(archive.read("word/document.xml"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return False
    return True


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Stop soffice and what it started (oosplash → soffice.bin on Linux, soffice.exe → soffice.bin on Windows)."""
    if os.name == "nt":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, check=False)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.communicate()


OWNER = "owner.json"
WORK_PREFIX = ".onemarket-pdf-"


def _is_soffice_group(pgid: int) -> bool:
    """Is ``pgid`` still a process group of LibreOffice's (not a reused number)? Linux: /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return pid_alive(pgid)
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and (b"soffice" in cmd or b"oosplash" in cmd):
            return True
    return False


def sweep_leftovers(outdir: Path) -> int:
    """Remove what conversions whose parent died left in ``outdir``: their soffice processes and
    their temporary folders (copies of agreements). Returns how many folders were removed."""
    removed = 0
    if not outdir.is_dir():
        return 0
    for work in outdir.glob(WORK_PREFIX + "*"):
        try:
            owner = json.loads((work / OWNER).read_text(encoding="utf-8"))
            parent, group = int(owner.get("parent", 0)), int(owner.get("group", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            parent = group = 0  # a folder from an older version, or one the kill cut short
        if parent and parent != os.getpid() and pid_alive(parent):
            continue  # a conversion still running (another process)
        if group and os.name != "nt" and _is_soffice_group(group):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)
        removed += 1
        log.warning("removed %s left by an interrupted PDF conversion", work.name)
    return removed


def _record_owner(work: Path, group: int) -> None:
    with contextlib.suppress(OSError):
        (work / OWNER).write_text(json.dumps({"parent": os.getpid(), "group": group}), encoding="utf-8")


def _run(command: list[str], soffice: Path, timeout: float, work: Path | None = None) -> tuple[int, str]:
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=os.name != "nt",
        )
    except OSError as exc:
        raise DocumentError(
            f"LibreOffice(soffice)를 실행할 수 없습니다: {soffice} ({exc.strerror or exc}). "
            "LibreOffice를 설치하거나 [documents] soffice에 올바른 경로를 적으세요."
        ) from exc
    if work is not None:
        _record_owner(work, process.pid)
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise DocumentError(
            f"LibreOffice가 {timeout:g}초 안에 PDF 변환을 끝내지 못해 멈췄습니다. 열려 있는 LibreOffice "
            '창을 모두 닫고 다시 실행하거나, [documents] pdf = "never"로 .docx만 만드세요.'
        ) from None
    return process.returncode, err.decode("utf-8", errors="replace")


def _convert_batch(files: Sequence[Path], outdir: Path, soffice: Path, timeout: float) -> dict[Path, Path | None]:
    result: dict[Path, Path | None] = dict.fromkeys(files)
    try:
        work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=outdir))
    except OSError as exc:
        raise DocumentError(
            f"PDF 폴더 {outdir}에 쓸 수 없습니다({exc.strerror or exc}). 경로와 권한을 확인하세요."
        ) from exc
    _record_owner(work, 0)
    profile = work / "profile"  # inside the folder the sweep removes
    try:
        inputs: dict[Path, Path] = {}
        for number, source in enumerate(files, 1):
            copy = work / f"in{number:04d}.docx"
            if _copy_docx(source, copy):
                inputs[source] = copy
        if not inputs:
            return result
        command = [
            str(soffice),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            *(str(p) for p in inputs.values()),
        ]
        code, err = _run(command, soffice, timeout, work)
        for source, copy in inputs.items():
            result[source] = _collect(copy.with_suffix(".pdf"), outdir / f"{source.stem}.pdf")
        if code != 0 and not any(result.values()):
            last = (err.strip().splitlines() or ["(메시지 없음)"])[-1]
            raise DocumentError(
                f"LibreOffice(soffice)가 변환에 실패했습니다(종료 코드 {code}: {last}). LibreOffice를 "
                "다시 설치하거나 [documents] soffice 경로를 확인하세요."
            )
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _copy_docx(source: Path, copy: Path) -> bool:
    """Copy a real .docx under a plain name for LibreOffice; False (logged) for anything else."""
    if not is_docx(source):
        log.warning("%s is not a readable .docx; no PDF made", source.name)
        return False
    try:
        shutil.copyfile(source, copy)
    except OSError as exc:
        log.warning("%s could not be copied for conversion: %s", source.name, exc)
        return False
    return True


def _collect(produced: Path, target: Path) -> Path | None:
    """Move a finished PDF into place; None when LibreOffice did not produce a real one."""
    if not produced.is_file():
        log.warning("LibreOffice made no PDF for %s", target.name)
        return None
    try:
        data = produced.read_bytes()
        if not data.startswith(b"%PDF-"):
            return None
        produced.write_bytes(stable_pdf(data))  # no clock inside: the same .docx gives the same PDF
        os.replace(produced, target)
    except OSError as exc:
        log.warning("PDF %s not moved to %s: %s", produced.name, target, exc)
        return None
    return target


def default_workers() -> int:
    """soffice processes run at once: two where there are two CPUs (measured 2.2× faster), else one."""
    return min(2, os.cpu_count() or 1)


def convert_to_pdf(
    docx_files: Sequence[Path],
    outdir: Path,
    soffice: Path,
    *,
    batch: int = 40,
    timeout: float = 600.0,
    workers: int | None = None,
) -> dict[Path, Path | None]:
    """Convert each .docx to ``outdir/<stem>.pdf``; None for a file that failed.

    ``batch`` files go to one soffice process; up to ``workers`` processes (default
    :func:`default_workers`) run at once, each with its own profile. ``timeout`` is per process.
    """
    if batch < 1 or (workers is not None and workers < 1):
        raise ValueError("batch and workers must be at least 1")
    stems: dict[str, Path] = {}
    for path in docx_files:
        other = stems.setdefault(path.stem.casefold(), path)
        if other != path:
            raise DocumentError(
                f"PDF 이름이 겹칩니다: {other.name}와(과) {path.name}이(가) 같은 {path.stem}.pdf가 됩니다. "
                "협약서 파일 이름을 서로 다르게 하세요."
            )
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DocumentError(
            f"PDF 폴더 {outdir}을(를) 만들 수 없습니다({exc.strerror or exc}). 경로와 권한을 확인하세요."
        ) from exc
    sweep_leftovers(outdir)
    files = list(dict.fromkeys(docx_files))
    batches = [files[start : start + batch] for start in range(0, len(files), batch)]
    stop = threading.Event()  # set by the first batch that fails: batches not yet started are skipped

    def guarded(part: list[Path]) -> dict[Path, Path | None]:
        if stop.is_set():
            return dict.fromkeys(part)
        try:
            return _convert_batch(part, outdir, soffice, timeout)
        except BaseException:
            stop.set()
            raise

    result: dict[Path, Path | None] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers or default_workers(), len(batches)))) as pool:
        for done in [pool.submit(guarded, part) for part in batches]:
            result.update(done.result())
    return {path: result[path] for path in files}
