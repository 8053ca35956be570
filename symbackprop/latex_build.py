"""LaTeX to PDF with a real pdflatex, safely: in a temporary directory, without shell escape,
reading and writing nothing outside it, and leaving nothing behind."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import SpecError

INSTALL_HINT = (
    "pdflatex not found; install TeX Live, e.g. "
    "apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures latexmk"
)
_SAFE_ENV = {
    "openout_any": "p",  # paranoid: no writing outside the working directory, no dot files
    "openin_any": "p",  # and no reading of absolute paths or parent directories either
    "shell_escape": "f",  # \write18 is off, whatever texmf.cnf says
    "SOURCE_DATE_EPOCH": "0",  # same source, byte-identical PDF
    "FORCE_SOURCE_DATE": "1",
}
_OVERFULL = re.compile(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)")


@dataclass(frozen=True)
class BuildResult:
    """A compiled document and pdflatex's log of it."""

    pdf: bytes
    log: str


def build_pdf(source: str, *, timeout: float = 120.0) -> bytes:
    """The PDF of a LaTeX document; a LaTeX error is a one-line SpecError."""
    return build(source, timeout=timeout).pdf


def build(source: str, *, timeout: float = 120.0) -> BuildResult:
    """Compile ``source`` in a fresh temporary directory and return the PDF and the log."""
    command = _command()
    env = {k: v for k, v in os.environ.items() if k != "TEXMFOUTPUT"} | _SAFE_ENV
    with tempfile.TemporaryDirectory(prefix="symbackprop-tex-") as work:
        tex = Path(work) / "document.tex"
        tex.write_text(source, encoding="utf-8")
        runs = 1 if command[0] == "latexmk" else 3
        for _ in range(runs):
            try:
                done = subprocess.run(
                    [*command, tex.name],
                    cwd=work,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise SpecError(f"LaTeX did not finish in {timeout:g} s") from None
            log = _read(Path(work) / "document.log")
            if done.returncode != 0:
                raise SpecError("LaTeX failed: " + _errors(log or done.stdout.decode("utf-8", "replace")))
            if command[0] != "latexmk" and "Rerun to get" not in log and "Label(s) may have changed" not in log:
                break
        return BuildResult((Path(work) / "document.pdf").read_bytes(), log)


def _command() -> list[str]:
    flags = ["-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error"]
    if shutil.which("latexmk") and shutil.which("pdflatex"):
        return ["latexmk", "-pdf", "-quiet", *flags, "-pdflatex=pdflatex " + " ".join(flags) + " %O %S"]
    if shutil.which("pdflatex"):
        return ["pdflatex", *flags]
    raise SpecError(INSTALL_HINT)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _errors(log: str, most: int = 400) -> str:
    """The error lines of a log (``! ...``, ``file:line: ...``, and the ``l.NN`` context), on one line."""
    lines = log.splitlines()
    picked = []
    for n, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^[^:\s]+:\d+: ", line):
            picked.append(line.strip())
            context = next((x.strip() for x in lines[n + 1 : n + 6] if x.startswith("l.")), None)
            if context:
                picked.append(context)
    text = " | ".join(dict.fromkeys(picked)) or "see the log (no error line found)"
    return text if len(text) <= most else text[: most - 3] + "..."


def overfull_boxes(log: str) -> list[float]:
    """The widths in pt by which each overfull line in a log runs past the margin."""
    return [float(width) for width in _OVERFULL.findall(log)]


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF (pdftotext), for checking what a reader sees."""
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8", "replace")


def pdf_to_png(pdf: bytes, page: int = 1, dpi: int = 80) -> bytes:
    """One page of a PDF as a PNG (pdftoppm), for looking at it."""
    return subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
