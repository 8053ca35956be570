"""LaTeX to PDF with a real pdflatex, safely: in a temporary directory, without shell escape,
reading and writing nothing outside it, leaving nothing behind, and byte-identical for the same source."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import SpecError

INSTALL_HINT = (
    "pdflatex not found; install TeX Live, e.g. "
    "apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures latexmk"
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
AUX_FILES = ("aux", "toc", "lof", "lot", "out")  # what latexmk watches to decide on another run
MAX_RUNS = 5  # latexmk's $max_repeat
MESSAGE_LENGTH = 400

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
    """The PDF of a LaTeX document; a LaTeX error or a timeout is a one-line SpecError."""
    return build(source, timeout=timeout).pdf


def build(source: str, *, timeout: float = 120.0) -> BuildResult:
    """Compile ``source`` in a fresh temporary directory, removed afterwards, and return the PDF and the log."""
    command = tex_command()
    with tempfile.TemporaryDirectory(prefix="symbackprop-tex-") as work:
        folder = Path(work)
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
    """latexmk driving pdflatex if both are installed, else pdflatex alone; shell escape off for every run."""
    if not shutil.which("pdflatex"):
        raise SpecError(INSTALL_HINT)
    if not shutil.which("latexmk"):
        return ["pdflatex", *TEX_FLAGS]
    # -norc: no latexmkrc may change the engine, the output directory or the flags. Our flags come after
    # latexmk's own (%O) so they are the ones pdflatex obeys.
    return ["latexmk", "-norc", "-pdf", *TEX_FLAGS, f"-pdflatex=pdflatex %O {' '.join(TEX_FLAGS)} %S"]


def tex_env() -> dict[str, str]:
    """The caller's environment with TeX confined to its working directory and made reproducible."""
    return {k: v for k, v in os.environ.items() if k not in UNSAFE_ENV} | SAFE_ENV


def _compile(command: list[str], folder: Path, deadline: float) -> str:
    """Run latexmk once, or pdflatex until its cross-reference files settle (as latexmk would); the last log."""
    if command[0] == "latexmk":
        return _run_tex(command, folder, deadline)
    seen: dict[str, bytes] = {}
    for _ in range(MAX_RUNS):  # at least twice: the first run always writes a new .aux
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
    """Run one command with stdin closed; past the deadline kill it and all it started, then re-raise."""
    with subprocess.Popen(
        command,
        cwd=folder,
        env=tex_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so a timeout also stops the pdflatex under latexmk
    ) as process:
        try:
            output = process.communicate(timeout=max(deadline - time.monotonic(), 0.0))[0]
        finally:
            if process.returncode is None:  # not reaped yet, so the group id is still ours
                os.killpg(process.pid, signal.SIGKILL)
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
