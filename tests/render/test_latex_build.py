"""latex_build: LaTeX source to PDF bytes with a real pdflatex, reproducibly, and without letting TeX out."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from symbackprop.base.errors import SpecError
from symbackprop.render import latex_build
from symbackprop.render.latex_build import INSTALL_HINT, build, build_pdf, overfull_boxes, pdf_text, pdf_to_png

from ..needs import NEEDS_TEX


def document(body: str, preamble: str = "") -> str:
    """A minimal article around ``body``."""
    return f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n{body}\n\\end{{document}}\n"


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the cwd and as the home of every temporary directory, so leftovers would show up in it."""
    (tmp_path / "tmp").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path


def leftovers(root: Path) -> list[Path]:
    """Every file under root: after a build there should be none."""
    return [p for p in root.rglob("*") if p.is_file()]


@NEEDS_TEX
def test_a_tiny_document_builds_to_pdf_bytes_and_leaves_nothing_on_disk(sandbox):
    assert build_pdf(document("Hello.")).startswith(b"%PDF")
    assert leftovers(sandbox) == []


@NEEDS_TEX
def test_the_same_source_gives_byte_identical_pdfs():
    source = document(r"Made \today.")
    first, second = build_pdf(source), build_pdf(source)
    assert first == second
    assert b"/CreationDate (D:19700101000000Z)" in first  # SOURCE_DATE_EPOCH=0, not the clock


@NEEDS_TEX
def test_pdflatex_runs_until_the_references_settle():
    source = document(r"\tableofcontents\section{Alpha}\label{a}See section~\ref{a} on page~\pageref{a}.")
    text = pdf_text(build_pdf(source))
    assert "See section 1 on page 1." in text and "1 Alpha" in text and "??" not in text


@NEEDS_TEX
def test_an_undefined_control_sequence_is_a_one_line_spec_error(sandbox):
    with pytest.raises(SpecError) as caught:
        build(document(r"Fine so far, then \nosuchmacro here."), checked=False)
    message = str(caught.value)
    assert message.startswith("LaTeX failed: ") and "\n" not in message
    assert "Undefined control sequence" in message and r"l.3 Fine so far, then \nosuchmacro" in message
    assert leftovers(sandbox) == []


@NEEDS_TEX
def test_an_endless_loop_times_out_and_its_tex_is_stopped(sandbox):
    with pytest.raises(SpecError, match=r"^LaTeX did not finish in 1 s$"):
        build(document(r"\loop\iftrue\repeat"), timeout=1.0, checked=False)
    assert leftovers(sandbox) == []
    assert _processes_in(sandbox, grace=2.0) == [], "a TeX process outlived its timeout"


def _processes_in(root: Path, grace: float) -> list[str]:
    """Other processes whose working directory is under root, after up to ``grace`` s for killed ones to die."""
    deadline = time.monotonic() + grace
    while (found := _cwd_under(root)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _cwd_under(root: Path) -> list[str]:
    """Other processes whose working directory is under root (Linux /proc; none elsewhere)."""
    found = []
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        try:
            if cwd.parent.name != str(os.getpid()) and Path(os.readlink(cwd)).is_relative_to(root):
                found.append(cwd.parent.name)
        except OSError:  # gone, or not ours to look at
            continue
    return found


@NEEDS_TEX
def test_shell_escape_does_not_run(sandbox):
    pwned = sandbox / "PWNED"
    result = build(document(rf"\immediate\write18{{touch {pwned}}}Still here."), checked=False)
    assert not pwned.exists()
    assert f"runsystem(touch {pwned})...disabled" in result.log
    with pytest.raises(SpecError):
        build(document(rf'\input{{|"touch {pwned}"}}'), checked=False)
    assert not pwned.exists()


@NEEDS_TEX
def test_files_outside_the_build_directory_cannot_be_read(sandbox):
    secret = sandbox / "secret.tex"
    secret.write_text("SECRETWORD\n")
    assert "MISSING" in pdf_text(build(document(rf"\IfFileExists{{{secret}}}{{FOUND}}{{MISSING}}"), checked=False).pdf)
    for body in (rf"\input{{{secret}}}", r"\input{/etc/passwd}", r"\newread\r\openin\r=/etc/passwd \read\r to\x\x"):
        with pytest.raises(SpecError, match="LaTeX failed"):
            build(document(body), checked=False)


@NEEDS_TEX
@pytest.mark.parametrize("target", ["ABSOLUTE", "../escaped.tex", ".hidden.tex"])
def test_files_outside_the_build_directory_cannot_be_written(sandbox, target):
    name = str(sandbox / "written.tex") if target == "ABSOLUTE" else target
    body = rf"\newwrite\w\immediate\openout\w={name}\immediate\write\w{{x}}\immediate\closeout\w"
    with pytest.raises(SpecError, match="I can't write on file"):
        build(document(body), checked=False)
    assert leftovers(sandbox) == []


def test_no_tex_at_all_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(SpecError) as caught:
        build_pdf(document("x"))
    assert str(caught.value) == INSTALL_HINT
    assert "apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures" in INSTALL_HINT


def test_the_tex_environment_is_confined_and_reproducible(monkeypatch):
    monkeypatch.setenv("TEXMFOUTPUT", "/")
    monkeypatch.setenv("openin_any", "a")
    env = latex_build.tex_env()
    assert "TEXMFOUTPUT" not in env
    assert (env["openin_any"], env["openout_any"], env["shell_escape"]) == ("p", "p", "f")
    assert (env["SOURCE_DATE_EPOCH"], env["FORCE_SOURCE_DATE"]) == ("0", "1")


def test_overfull_boxes_reads_each_width_from_a_log():
    log = "\n".join(
        [
            r"Overfull \hbox (12.3pt too wide) in paragraph at lines 10--12",
            r"Underfull \hbox (badness 10000) in paragraph at lines 14--15",
            r"Overfull \hbox (0.5pt too wide) detected at line 20",
            r"Overfull \vbox (3.0pt too high) has occurred while \output is active",
            r"Overfull \hbox (7pt too wide) in alignment at lines 30--31",
        ]
    )
    assert overfull_boxes(log) == [12.3, 0.5, 7.0]
    assert overfull_boxes("") == []


@NEEDS_TEX
def test_an_overfull_line_shows_in_the_log():
    result = build(document(r"\noindent\rule{600pt}{1pt}"))
    assert len(overfull_boxes(result.log)) == 1 and overfull_boxes(result.log)[0] > 200


@NEEDS_TEX
def test_pdf_text_finds_the_words_and_pdf_to_png_draws_the_page(sandbox):
    pdf = build_pdf(document("Backpropagation explained."))
    assert "Backpropagation" in pdf_text(pdf)
    assert pdf_to_png(pdf, dpi=20).startswith(b"\x89PNG\r\n\x1a\n")
    assert leftovers(sandbox) == []
