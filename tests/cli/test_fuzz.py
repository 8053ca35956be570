"""Fuzzing the command line in-process: generated specs, references, claims, titles and template folders.

Every command (derive with each format, --wrt2, --wrt all and the general form; evaluate; gradcheck;
verify; codegen) runs on generated input, valid and broken. Properties: every run ends with exit
status 0, 1 or 2; stderr never holds a traceback or an "internal error"; a failed run leaves no
output file; nothing a user typed is executed (the claims, specs, titles and templates include
Python, TeX and Jinja that would leave a file behind or print /etc/passwd if they ran). The
default run takes a minute or two; HYPOTHESIS_PROFILE=long runs five times as many examples.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.base.resources import templates_dir

from ..commandline import CommandLine
from ..fuzz_inputs import HOSTILE, claims, fuzz, mutated_claims, parameters, references, specs, valid_specs
from ..needs import NEEDS_TEX


def titles() -> st.SearchStrategy[str]:
    """Titles and authors: hostile TeX and Jinja, names in any script, emoji, control characters, long."""
    names = st.sampled_from(["Dvořák", "Łukasz", "Ångström", "Gödel", "naïve", "The δ rule", "中文", "🙂", "a\tb"])
    return names | st.sampled_from(HOSTILE) | st.text(max_size=40) | st.just("x" * 400)


COMMANDS = ["derive", "second", "evaluate", "gradcheck", "verify", "claim", "codegen"]


@st.composite
def commands(draw, command: str, spec_path: Path, out: Path) -> list[str]:
    """The arguments of one run of ``command`` on the spec, its options drawn."""
    spec = str(spec_path)
    if command == "derive":
        fmt = draw(st.sampled_from(["text", "json", "md", "tex", "tex-body"]))
        wrt = draw(references() | st.sampled_from(["all", "w_{jk}^{(l)}", "b_j^{(l)}", "a_k^{(l)}"]))
        argv = ["derive", spec, "--wrt", wrt, "--to", fmt, "-o", str(out)]
        if fmt == "tex" and draw(st.booleans()):
            argv += ["--title", draw(titles()), "--author", draw(titles())]
        return argv
    if command == "second":
        fmt = draw(st.sampled_from(["text", "text", "json", "tex"]))
        return ["derive", spec, "--wrt", draw(parameters()), "--wrt2", draw(parameters()), "--to", fmt, "-o", str(out)]
    if command == "evaluate":
        return ["evaluate", spec, "--json", "-o", str(out)]
    if command == "gradcheck":
        return ["gradcheck", spec, *draw(st.sampled_from([[], ["--random"], ["--json", "--seed", "7"]]))]
    if command == "verify":
        return ["verify", spec, "-o", str(out)]
    if command == "codegen":
        backend = draw(st.sampled_from(["numpy", "numpy", "torch", "jax", "tensorflow"]))
        return ["codegen", spec, "--backend", backend, "-o", str(out)]
    return ["verify", spec, "--wrt", draw(references()), "--claim", draw(claims()), "-o", str(out)]


STATUSES: list[tuple[str, int]] = []


def run_once(argv: list[str], cmdline) -> tuple[int, str]:
    done = cmdline.run(*argv)
    return done.returncode, done.stderr


@pytest.mark.parametrize("command", COMMANDS)
@fuzz(50)
@given(spec=specs(), data=st.data())
def test_any_spec_and_command_ends_cleanly(command, spec, data, tmp_path_factory, cmdline):
    work = tmp_path_factory.mktemp("fuzz")
    with contextlib.chdir(work):
        check_one_spec(command, spec, data, work, cmdline)


@pytest.mark.parametrize("command", COMMANDS)
@fuzz(40)
@given(spec=valid_specs(), data=st.data())
def test_any_accepted_spec_and_command_ends_cleanly(command, spec, data, tmp_path_factory, cmdline):
    """The same on specs the engine accepts, so every command gets past the spec to its own work."""
    work = tmp_path_factory.mktemp("fuzz")
    with contextlib.chdir(work):
        check_one_spec(command, spec, data, work, cmdline)


def check_one_spec(command: str, spec: str, data: st.DataObject, work: Path, cmdline: CommandLine) -> None:
    spec_path = work / "spec.toml"
    spec_path.write_text(spec, encoding="utf-8", errors="surrogatepass")
    out = work / "out.txt"
    argv = data.draw(commands(command, spec_path, out))
    status, err = run_once(argv, cmdline)
    STATUSES.append((command, status))
    assert status in (0, 1, 2), (argv, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    if status == 2:
        assert err.count("\n") == 1, err  # one line
        assert not out.exists(), argv  # a failed command writes no file
    elif "-o" in argv:
        assert "root:x:0:0" not in out.read_text(encoding="utf-8")
    assert not (work / "PWNED").exists()


@fuzz(200)
@given(claim=claims(), ref=references(), example=st.sampled_from(["deeplizard", "3b1b", "worked", "mazur"]))
def test_any_claim_on_a_real_network_ends_cleanly(claim, ref, example, tmp_path_factory, cmdline):
    work = tmp_path_factory.mktemp("claims")
    with contextlib.chdir(work):
        check_one_claim(claim, ref, example, work, cmdline)


@fuzz(150)
@given(claim=mutated_claims(), wrt=st.sampled_from(["w_{12}^{(L)}", "w_{12}^{(L)}", "w_{21}^{(L)}", None]))
def test_a_claim_near_a_real_one_ends_cleanly(claim, wrt, tmp_path_factory, cmdline):
    """Claims that are right, wrong, or nearly readable, so the verdicts and the diagnosis run too."""
    work = tmp_path_factory.mktemp("claims")
    with contextlib.chdir(work):
        check_one_claim(claim, wrt, "deeplizard", work, cmdline)


def check_one_claim(claim: str, ref: str | None, example: str, work: Path, cmdline: CommandLine) -> None:
    out = work / "report.json"
    wrt = ["--wrt", ref] if ref is not None else []
    status, err = run_once(["verify", f"example:{example}", *wrt, "--claim", claim, "--json", "-o", str(out)], cmdline)
    STATUSES.append(("claim", status))
    assert status in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, (claim, ref, err)
    if status in (0, 1):
        assert out.exists()
    else:  # bad input, an unreadable claim too: nothing written
        assert not out.exists(), err
    assert not (work / "PWNED").exists()


SHIPPED = sorted(p.relative_to(templates_dir()).as_posix() for p in templates_dir().glob("*.j2"))
SNIPPETS = [
    r"\VAR{ d.symbol | text }",
    r"\VAR{ d.result | tex }",
    r"\VAR{ title | escape }",
    r"\VAR{ net.layers | join(', ') }",
    r"\BLOCK{ for c in d.chains }\VAR{ loop.index }\BLOCK{ endfor }",
    r"\VAR{ nope }",
    r"\VAR{ d.nope.nope }",
    r"\VAR{ 1/0 }",
    r"\VAR{ d.__class__.__mro__ }",
    r"\VAR{ ''.__class__.__mro__[1].__subclasses__() }",
    r"\VAR{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }",
    r"\VAR{ lipsum.__globals__['os'].system('touch PWNED') }",
    r"\VAR{ self._TemplateReference__context }",
    r"\BLOCK{ set x = d.chains.append(1) }",
    r"\VAR{ range(10**9) | list | length }",
    r"\BLOCK{ include '/etc/passwd' }",
    r"\BLOCK{ include '../../../../../../etc/passwd' }",
    r"\BLOCK{ include 'derivation.txt.j2' }",
    r"\BLOCK{ import 'os' as os }\VAR{ os.system('touch PWNED') }",
    r"\BLOCK{ macro m() }\VAR{ m() }\BLOCK{ endmacro }\VAR{ m() }",
    r"\BLOCK{ extends 'document.tex.j2' }",
    r"\BLOCK{ if }",
    r"\BLOCK{ endfor }",
    r"\BLOCK{ for i in range(3) }",
    r"\VAR{",
    r"\#{ a comment }",
    r"\#{ unclosed",
    "{{ 7*7 }}{% for x in y %}",
    r"\input{/etc/passwd}\write18{touch PWNED}",
    "é∂∑🙂 plain text",
]


@st.composite
def template_folders(draw) -> dict[str, bytes]:
    """A --templates folder: files named as shipped templates (or not), holding snippets of template text,
    broken Jinja, hostile text, or bytes that are not UTF-8."""
    files = {}
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(SHIPPED) | st.sampled_from(["x.j2", "presets/3b1b.toml", "sub/derivation.txt.j2"]))
        text = "\n".join(draw(st.lists(st.sampled_from(SNIPPETS), max_size=5)))
        files[name] = draw(st.just(text.encode()) | st.binary(max_size=40) | st.just(b"\xff\xfe\\VAR{ 1 }"))
    return files


@fuzz(150)
@given(
    files=template_folders(),
    fmt=st.sampled_from(["text", "md", "tex", "tex-body"]),
    wrt=st.sampled_from(["w^{(L)}", "b^{(L-1)}", "all", "w_{jk}^{(l)}"]),
)
def test_any_template_folder_ends_cleanly(files, fmt, wrt, tmp_path_factory, cmdline):
    work = tmp_path_factory.mktemp("templates")
    folder = work / "mine"
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    folder.mkdir(exist_ok=True)
    out = work / "out.txt"
    fmt = "tex" if wrt == "all" else fmt
    argv = ["derive", "example:3b1b", "--wrt", wrt, "--to", fmt, "--templates", str(folder), "-o", str(out)]
    with contextlib.chdir(work):
        status, err = run_once(argv, cmdline)
    assert status in (0, 1, 2), (files, err)
    assert "Traceback" not in err and "internal error" not in err, (files, err)
    if status == 2:
        assert err.count("\n") == 1 and not out.exists(), err
    else:
        assert "root:x:0:0" not in out.read_text(encoding="utf-8")
    assert not (work / "PWNED").exists()


@NEEDS_TEX
@fuzz(5)
@given(spec=valid_specs(), title=titles(), author=titles())
def test_a_pdf_of_any_spec_and_title_ends_cleanly(spec, title, author, tmp_path_factory, cmdline):
    """A few only: each compiles with pdflatex, a few seconds apiece."""
    work = tmp_path_factory.mktemp("pdf")
    (work / "spec.toml").write_text(spec, encoding="utf-8")
    argv = ["derive", "spec.toml", "--wrt", "w_{00}^{(L)}", "--to", "pdf", "-o", "out.pdf"]
    with contextlib.chdir(work):
        status, err = run_once([*argv, "--title", title, "--author", author], cmdline)
    assert status in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    files = sorted(p.name for p in work.iterdir())
    assert files == (["out.pdf", "spec.toml"] if status in (0, 1) else ["spec.toml"]), (files, err)


def test_the_fuzzing_reached_past_the_spec_checks():
    """Every command ran to a result (exit 0 or 1) on some generated input, so the suite exercises each
    command's own work and not only the spec's errors."""
    if not STATUSES:
        pytest.skip("run with the fuzz tests above")
    finished = {command for command, status in STATUSES if status in (0, 1)}
    assert finished == set(COMMANDS), sorted(set(COMMANDS) - finished)
