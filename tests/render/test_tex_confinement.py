"""A PDF build reads nothing outside its folder and the TeX installation, and writes nothing outside its folder.

Two layers, each tested alone: the vocabulary check on the source (``latex_guard``), which refuses every
primitive that reads or writes files however it is spelled, and pdflatex run inside bubblewrap, which cannot see
the rest of the disk even when the check is skipped. CI installs bubblewrap and requires it; a developer machine
without it says so and keeps the first layer (and kpathsea's paranoid mode).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.base.errors import SpecError
from symbackprop.documents import render, render_all
from symbackprop.render import latex_build
from symbackprop.render.latex_guard import check_source

from ..needs import IN_CI, NEEDS_SANDBOX, NEEDS_TEX, has_bwrap_sandbox
from ..strategies import networks, references

SECRET = "SECRET-0f3c9a"


def document(body: str) -> str:
    return f"\\documentclass{{article}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"


ATTACH = (  # the report's attack: the whole file attached to the PDF
    r"\immediate\pdfobj stream attr {/Type /EmbeddedFile} file {%s}"
    r"\pdfnames{/EmbeddedFiles [(x) \pdflastobj\space 0 R]}"
)
REFUSED = [
    (ATTACH % "/etc/passwd", r"\immediate"),
    (r"\pdfobj stream file {/etc/passwd}", r"\pdfobj"),
    (r"\pdfximage{/etc/passwd}", r"\pdfximage"),
    (r"\pdfmapfile{=/etc/passwd}", r"\pdfmapfile"),
    (r"\pdfmapline{=/etc/passwd}", r"\pdfmapline"),
    (r"\pdffiledump length 100 {/etc/passwd}", r"\pdffiledump"),
    (r"\special{pdf: /etc/passwd}", r"\special"),
    (r"\input{/etc/passwd}", r"\input"),
    (r"\openin5=/etc/passwd", r"\openin"),
    (r"\write18{touch PWNED}", r"\write"),
    (r"\csname pdfobj\endcsname stream file {/etc/passwd}", r"\csname"),
    (r"\expandafter\pdfobj", r"\expandafter"),
    (r"\catcode`\|=0 |pdfobj", r"\catcode"),
    (r"^^5cpdfobj stream file {/etc/passwd}", "^^"),
    (r"\begin{pdfobj}", r"\begin{pdfobj}"),
    (r"\begin{ pdfximage }", r"\begin{pdfximage}"),
    (r"\end{immediate}", r"\end{immediate}"),
    (r"\usepackage{/etc/passwd}", r"\usepackage{/etc/passwd}"),
    (r"\usepackage{amsmath,embedfile}", r"\usepackage{embedfile}"),
    (r"\usetikzlibrary{external}", r"\usetikzlibrary{external}"),
    (r"\definecolor{c}{pdfobj}{1}", r"\definecolor{pdfobj}"),
    (r"\begin{\csname x\endcsname}", "a name built of anything but letters"),
    (r"\ExplSyntaxOn \pdftex_pdfobj:D", r"\ExplSyntaxOn"),
    (r"\makeatletter \@input{/etc/passwd}", r"\makeatletter"),
    (r"\def\x{\pdfobj}", r"\def"),
    (r"\let\x\relax", r"\let"),
    (r"\newcommand{\x}{1}", r"\x"),
    (r"\scantokens{x}", r"\scantokens"),
    (r"\string\pdfobj", r"\string"),
    (r"\lowercase{\PDFOBJ}", r"\lowercase"),
    (r"\directlua{os.execute('touch PWNED')}", r"\directlua"),
    (r"\pdfprimitive\pdfobj", r"\pdfprimitive"),
    (r"\jobname", r"\jobname"),
    (r"\IfFileExists{/etc/passwd}{a}{b}", r"\IfFileExists"),
    (r"\includegraphics{/etc/passwd}", r"\includegraphics"),
    ("% a comment\r\\pdfobj stream file {/etc/passwd}", "the control character U+000D"),  # TeX ends a line at CR
    ("x\x0c\\input{/etc/passwd}", "the control character U+000C"),
    ("\\usepackage[%]{tikz}\n]{eurosym}", r"\usepackage{eurosym}"),  # TeX skips the comment: eurosym is named
    ("\\documentclass[%]{article}\n]{/etc/passwd}", r"\documentclass{/etc/passwd}"),
]


@pytest.mark.parametrize(("body", "named"), REFUSED, ids=[n.replace("\\", "") for _, n in REFUSED])
def test_the_check_refuses_every_way_to_read_write_or_spell_a_command(body, named):
    with pytest.raises(SpecError) as caught:
        check_source(document(body))
    message = str(caught.value)
    assert named in message and "\n" not in message and ("on its line 3" in message or "on its line 4" in message)


def test_the_check_reads_what_tex_reads_comments_and_escaped_signs_aside():
    check_source(document(r"100\% sure % \input{/etc/passwd} is a comment TeX never reads"))
    check_source(document(r"a line break\\pdfobj is the word pdfobj after \\ and \{ \} \$ \& \#"))
    with pytest.raises(SpecError, match=r"\\pdfobj"):
        check_source(document("\\%\n\\pdfobj"))  # an escaped % comments nothing out


@NEEDS_TEX
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_every_document_the_engine_writes_passes_the_check(data):
    net = data.draw(networks(max_depth=2, max_width=3, generic=True))
    ref = data.draw(references(net))
    check_source(render(net.derive(ref), "tex"))


def test_the_built_in_examples_and_every_weight_documents_pass_the_check():
    import symbackprop as sbp

    for name in ("3b1b", "deeplizard", "worked", "mazur", "hmkcode"):
        net = sbp.Network.from_toml(f"example:{name}")
        check_source(render_all(net))
        check_source(render(net.derive(net.parameters()[-1]), "tex"))


@NEEDS_SANDBOX
def test_in_ci_pdflatex_runs_in_the_sandbox():
    assert has_bwrap_sandbox()


@NEEDS_SANDBOX
@pytest.mark.parametrize(
    "body",
    [
        ATTACH % "SECRETFILE",
        ATTACH % "../../../../../../../../SECRETFILE",
        r"\pdfximage{SECRETFILE}\pdfrefximage\pdflastximage",
        r"\pdfmapfile{=SECRETFILE}",
        r"\input{SECRETFILE}",
        r"\newread\r\openin\r=SECRETFILE \read\r to\x\x",
    ],
    ids=["attach", "attach-relative", "ximage", "mapfile", "input", "openin"],
)
def test_without_the_check_pdflatex_still_reads_nothing_outside_its_folder(body, tmp_path):
    """The sandbox alone: a file outside the build folder, named absolutely or by ../, never reaches the PDF or
    the log (the build fails, or succeeds without it)."""
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{SECRET}\n")
    relative = os.path.relpath(secret, tempfile.gettempdir())
    source = document(body.replace("../../../../../../../../SECRETFILE", relative).replace("SECRETFILE", str(secret)))
    try:
        result = latex_build.build(source, checked=False)
    except SpecError as err:
        assert SECRET not in str(err)
        return
    assert SECRET.encode() not in result.pdf and SECRET not in result.log


@NEEDS_TEX
def test_a_folder_left_by_a_killed_build_is_swept_and_a_running_ones_kept(tmp_path, monkeypatch):
    import fcntl

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    left = tmp_path / f"{latex_build.FOLDER_PREFIX}left"
    left.mkdir()
    (left / latex_build.LOCK).write_text("")
    (left / "document.tex").write_text("x")
    running = tmp_path / f"{latex_build.FOLDER_PREFIX}running"
    running.mkdir()
    held = os.open(running / latex_build.LOCK, os.O_CREAT | os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)
    orphan = tmp_path / f"{latex_build.FOLDER_PREFIX}orphan"  # killed between making the folder and its lock
    orphan.mkdir()
    old = time.time() - 2 * latex_build.ORPHAN_SECONDS
    os.utime(orphan, (old, old))
    try:
        assert latex_build.build_pdf(document("Hello.")).startswith(b"%PDF")
        assert sorted(p.name for p in tmp_path.iterdir()) == [running.name]
    finally:
        os.close(held)


@NEEDS_TEX
def test_a_template_that_reaches_for_a_file_through_tex_gets_one_line_and_no_pdf(tmp_path, cmdline):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "body-only.tex.j2").write_text("x")
    (mine / "body.tex.j2").write_text(ATTACH % "/etc/passwd" + "\n")
    done = cmdline.run(
        "derive",
        "example:3b1b",
        "--wrt",
        "w^{(L)}",
        "--to",
        "pdf",
        "-o",
        "out.pdf",
        "--templates",
        "mine",
        cwd=tmp_path,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert r"\immediate" in done.stderr and not (tmp_path / "out.pdf").exists()
    assert "root:" not in done.stdout + done.stderr


def test_a_run_leaves_no_temporary_file_beside_its_output(tmp_path, cmdline):
    out = tmp_path / "out.txt"
    (tmp_path / f".sbp-{2**22 + 12345}-left.tmp").write_text("a killed run's")  # a pid that is not running
    (tmp_path / f".sbp-{os.getpid()}-mine.tmp").write_text("a running process's")
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".sbp-{os.getpid()}-mine.tmp", "out.txt"]


def test_a_pdf_of_eight_thousand_samples_lists_a_few_and_counts_the_rest(tmp_path, cmdline):
    import numpy as np

    rng = np.random.default_rng(1)
    values = {
        "x": rng.uniform(0, 1, (8000, 2)).round(3).tolist(),
        "y": rng.uniform(0, 1, (8000, 1)).round(3).tolist(),
        "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]],
        "biases": [[0.1, 0.2], [0.3]],
        "learning_rate": 0.5,
    }
    spec = "layers = [2, 2, 1]\n[values]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
    (tmp_path / "big.toml").write_text(spec)
    done = cmdline.run("derive", "big.toml", "--wrt", "w_{00}^{(L)}", "--to", "tex", "-o", "big.tex", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    source = (tmp_path / "big.tex").read_text()
    assert max(len(line) for line in source.splitlines()) < 2000 and "(7992 more)" in source
    if shutil.which("pdflatex") or IN_CI:
        done = cmdline.run("derive", "big.toml", "--wrt", "w_{00}^{(L)}", "--to", "pdf", "-o", "big.pdf", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "big.pdf").read_bytes().startswith(b"%PDF")


def test_documents_name_a_path_outside_the_folder_only_as_data(tmp_path, cmdline):
    """A title that spells a primitive is printed as text, so the check never sees a command in it."""
    done = cmdline.run(
        "derive",
        "example:3b1b",
        "--wrt",
        "w^{(L)}",
        "--to",
        "tex",
        "--title",
        r"\pdfobj file {/etc/passwd}",
        cwd=tmp_path,
    )
    assert done.returncode == 0
    check_source(done.stdout)
    assert Path("/etc/passwd").read_text()[:20] not in done.stdout


@NEEDS_SANDBOX
@pytest.mark.parametrize("name", ["/proc/1/environ", "/proc/self/environ", "/proc/self/mountinfo", "/proc/1/cmdline"])
def test_the_sandbox_shows_nothing_of_the_callers_environment_or_mounts(name, monkeypatch):
    """pid 1 in the sandbox is bubblewrap: started with nothing of the caller's environment, and no /proc at all."""
    monkeypatch.setenv("SBP_SECRET_TOKEN", SECRET)
    try:
        result = latex_build.build(document(ATTACH % name), checked=False)
    except SpecError as err:
        assert SECRET not in str(err) and "not found" in str(err)
        return
    assert SECRET.encode() not in result.pdf and b"/work" not in result.pdf
