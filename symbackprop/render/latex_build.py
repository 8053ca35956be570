"""LaTeX to PDF with a real pdflatex, safely: the source checked against what a document may say
(``latex_guard``), pdflatex run without shell escape in a folder of its own, where it can read only that folder and
the TeX installation (a bubblewrap sandbox where the machine has one; kpathsea's paranoid mode everywhere), killed
with whoever started it, leaving nothing behind, and byte-identical for the same source."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..base.bounded import die_with_parent, held
from ..base.errors import SpecError
from .latex_guard import check_source

INSTALL_HINT = (
    "pdflatex not found; install TeX Live, e.g. "
    "apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures"
)
TEX_FLAGS = ("-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error")
SAFE_ENV = {
    "openout_any": "p",  # paranoid: write only in the working directory, no dot files, no absolute paths
    "openin_any": "p",  # the same for \input, \openin, graphics: no /etc/passwd, no ../
    "shell_escape": "f",  # \write18 and \input|"cmd" are off, whatever texmf.cnf says
    "SOURCE_DATE_EPOCH": "0",  # dates and the trailer /ID come from this: same source, same bytes
    "FORCE_SOURCE_DATE": "1",  # \today and \time too, so nothing in the PDF depends on the clock
    "max_print_line": "1000",  # unwrapped log lines, so an error message is whole on its line
}
UNSAFE_ENV = ("TEXMFOUTPUT", "TEXMF_OUTPUT_DIRECTORY")  # each would let paranoid mode read/write under it
JOB = "document"
AUX_FILES = ("aux", "toc", "lof", "lot", "out")  # what a run writes for the next: a change means run again
MAX_RUNS = 5
MESSAGE_LENGTH = 400
FOLDER_PREFIX = "symbackprop-tex-"
LOCK = ".symbackprop-lock"  # held (flock) by the build that made the folder, for as long as it runs
ORPHAN_SECONDS = 60.0  # a folder without its lock this old was left by a build killed before it took the lock
TEX_TREE = ("/usr/bin", "/usr/lib", "/usr/lib64", "/usr/share/texlive", "/usr/share/texmf", "/etc/texmf")
TEX_FORMATS = "/var/lib/texmf"  # where Debian keeps the compiled formats (pdflatex.fmt)
SANDBOX_DIR = "/build"  # the build folder, as pdflatex sees it inside the sandbox

_RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed|Please rerun")
_ERROR = re.compile(r"^!|^[^\s:][^:]*:\d+: ")  # TeX's "! message", or -file-line-error's "file:line: message"
_NOISE = re.compile(r"Emergency stop|==> Fatal error occurred")
_OVERFULL = re.compile(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)")


@dataclass(frozen=True)
class BuildResult:
    """A compiled document and pdflatex's log of it (for overfull boxes and warnings)."""

    pdf: bytes
    log: str


def build_pdf(source: str, *, timeout: float = 120.0) -> bytes:
    """The PDF of a LaTeX document; a refused command, a LaTeX error or a timeout is a one-line SpecError."""
    return build(source, timeout=timeout).pdf


def build(source: str, *, timeout: float = 120.0, checked: bool = True) -> BuildResult:
    """Compile ``source`` in a fresh folder, removed afterwards, and return the PDF and the log. ``checked``
    False skips the vocabulary check (tests of the sandbox alone use it)."""
    if checked:
        check_source(source)
    command = tex_command()
    with build_folder() as folder:
        (folder / f"{JOB}.tex").write_text(source, encoding="utf-8")
        try:
            log = _compile(command, folder, time.monotonic() + timeout)
        except subprocess.TimeoutExpired:
            raise SpecError(f"LaTeX did not finish in {timeout:g} s") from None
        pdf = folder / f"{JOB}.pdf"
        if not pdf.exists():  # pdflatex succeeds on an empty document, but makes no PDF of it
            raise SpecError("LaTeX failed: " + _errors(log))
        return BuildResult(pdf.read_bytes(), log)


def tex_command() -> list[str]:
    """pdflatex with shell escape off, inside the sandbox where there is one."""
    found = shutil.which("pdflatex")
    if not found:
        raise SpecError(INSTALL_HINT)
    return [*sandbox_prefix(found), "pdflatex", *TEX_FLAGS]


def tex_env() -> dict[str, str]:
    """The caller's environment with TeX confined to its working directory and made reproducible; in the sandbox,
    nothing of the caller's (pid 1 there is bubblewrap, and /proc/1/environ would show its environment)."""
    if sandbox_prefix(shutil.which("pdflatex") or "pdflatex"):
        return {"PATH": "/usr/bin:/bin"} | SAFE_ENV
    return {k: v for k, v in os.environ.items() if k not in UNSAFE_ENV} | SAFE_ENV


def sandbox_prefix(pdflatex: str) -> list[str]:
    """The bubblewrap command line that runs pdflatex seeing only the TeX installation and the build folder (its
    working directory, bound at SANDBOX_DIR), in namespaces of its own and killed with its parent; [] where
    bubblewrap is missing or the machine does not let it make namespaces."""
    return list(_sandbox(str(Path(pdflatex).resolve())))


@cache
def _sandbox(pdflatex: str) -> tuple[str, ...]:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return ()
    roots = [p for p in (*TEX_TREE, TEX_FORMATS) if Path(p).exists()]
    if not any(pdflatex.startswith(root + "/") for root in roots):  # TeX Live installed elsewhere: its own tree too
        roots.append(str(Path(pdflatex).parents[2]))
    prefix = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
    for root in roots:
        prefix += ["--ro-bind", root, root]
    for link, target in (("/bin", "usr/bin"), ("/lib", "usr/lib"), ("/lib64", "usr/lib64")):
        if Path(target.replace("usr", "/usr")).exists():
            prefix += ["--symlink", target, link]
    prefix += ["--dev", "/dev", "--tmpfs", "/tmp", "--bind", ".", SANDBOX_DIR]
    prefix += ["--chdir", SANDBOX_DIR]
    for key, value in {"PATH": f"/usr/bin:{Path(pdflatex).parent}", "HOME": SANDBOX_DIR, **SAFE_ENV}.items():
        prefix += ["--setenv", key, value]
    probe = subprocess.run([*prefix, "--", pdflatex, "-version"], capture_output=True, timeout=30, check=False)
    return (*prefix, "--") if probe.returncode == 0 else ()


@contextmanager
def build_folder() -> Iterator[Path]:
    """A new folder for one build, held by a lock while it lasts and removed after; first, the folders of builds
    that were killed before they could remove theirs (their lock is free) are removed."""
    root = Path(tempfile.gettempdir())
    sweep(root)
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=root))
    lock = os.open(folder / LOCK, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder
    finally:
        remove(folder)
        os.close(lock)


def remove(folder: Path, seconds: float = 2.0) -> None:
    """Remove ``folder``, again while something still writes into it: a sandboxed pdflatex outlives its killed
    bubblewrap for a moment (it dies with it, asynchronously), and a file it writes then would stay behind."""
    deadline = time.monotonic() + seconds
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists() or time.monotonic() > deadline:
            return
        time.sleep(0.01)


def sweep(root: Path) -> None:
    """Remove the build folders under ``root`` that no running build holds."""
    for folder in root.glob(FOLDER_PREFIX + "*"):
        try:
            if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
                continue
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            if _older_than(folder, ORPHAN_SECONDS):
                shutil.rmtree(folder, ignore_errors=True)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a build that is running
        finally:
            os.close(fd)
        remove(folder)


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def _compile(command: list[str], folder: Path, deadline: float) -> str:
    """Run pdflatex until its cross-reference files settle (at least twice: the first run writes a new .aux)."""
    seen: dict[str, bytes] = {}
    log = ""
    for _ in range(MAX_RUNS):
        log = _run_tex(command, folder, deadline)
        now = _cross_references(folder)
        if now == seen and not _RERUN.search(log):
            break
        seen = now
    return log


def _run_tex(command: list[str], folder: Path, deadline: float) -> str:
    """One run over the document: its log, or a SpecError with the log's error lines."""
    status, output = _run([*command, f"{JOB}.tex"], folder, deadline)
    log = _read(folder / f"{JOB}.log") or output
    if status != 0:
        raise SpecError("LaTeX failed: " + _errors(log))
    return log


def _cross_references(folder: Path) -> dict[str, bytes]:
    """The files one run writes for the next (labels, contents): a change means page numbers may still move."""
    return {ext: path.read_bytes() for ext in AUX_FILES if (path := folder / f"{JOB}.{ext}").exists()}


def _run(command: list[str], folder: Path, deadline: float) -> tuple[int, str]:
    """Run one command with stdin closed, killed if this process dies; past the deadline, or when this process is
    stopped, kill it and all it started, then re-raise."""
    process = None
    try:
        with held():  # a stop while forking would be lost in the fork's callbacks: it arrives just after instead
            process = subprocess.Popen(
                command,
                cwd=folder,
                env=tex_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a timeout stops everything it started
                preexec_fn=die_with_parent,
            )
        output = process.communicate(timeout=max(deadline - time.monotonic(), 0.0))[0]
    finally:
        if process is not None and process.returncode is None:  # not reaped yet, so the group id is still ours
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
    return process.returncode, output.decode("utf-8", "replace")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _errors(log: str, most: int = MESSAGE_LENGTH) -> str:
    """The error lines of a log (``! ...``, ``file:line: ...``, and the ``l.NN`` context) on one line."""
    lines = log.splitlines()
    picked: list[str] = []
    for n, line in enumerate(lines):
        if _ERROR.match(line) and not _NOISE.search(line):
            picked.append(line.strip())
            context = next((x.strip() for x in lines[n + 1 : n + 12] if x.startswith("l.")), None)
            picked.extend([context] if context else [])
    if not picked:
        picked = ["no pages of output"] if "No pages of output" in log else ["no error line in the log"]
    text = " | ".join(dict.fromkeys(picked))
    return text if len(text) <= most else text[: most - 3] + "..."


def overfull_boxes(log: str) -> list[float]:
    """The widths in pt by which each overfull line in a log runs past the margin."""
    return [float(width) for width in _OVERFULL.findall(log)]


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF (``pdftotext -layout``), for checking what a reader sees."""
    return _filter(["pdftotext", "-layout", "-", "-"], pdf).decode("utf-8", "replace")


def pdf_to_png(pdf: bytes, page: int = 1, dpi: int = 80) -> bytes:
    """One page of a PDF as a PNG (``pdftoppm``), for previews."""
    return _filter(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-"], pdf)


def _filter(command: list[str], data: bytes) -> bytes:
    """A poppler tool reading ``data`` on stdin and writing its result on stdout (no file given: stdout)."""
    return subprocess.run(command, input=data, capture_output=True, check=True, timeout=60).stdout
