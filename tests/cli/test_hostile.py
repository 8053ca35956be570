"""Hostile text in every place a user can type, and byte-identical output for every format.

Titles, authors, spec titles, preset symbols, claims, template directories and output
paths carry Python, TeX and template syntax that would leave a file behind, print 49 or read
/etc/passwd if any of it were run. Each must come out as text, or be refused in one line.
"""

from __future__ import annotations

import json
import time

import pytest

from ..needs import NEEDS_TEX

HOSTILE = [
    "__import__('os').system('touch PWNED')",
    r"\input{/etc/passwd}",
    r"\write18{touch PWNED}",
    r"\immediate\openout1=PWNED",
    r"\catcode`\^=7",
    "{{ 7*7 }}",
    r"\BLOCK{ set x = 7*7 }\VAR{ x }",
    r"\VAR{ 7*7 }",
    "$(touch PWNED)",
]


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_title_and_author_are_printed_as_text(text, tmp_path, cmdline):
    done = cmdline.run(
        "derive", "example:3b1b", "--wrt", "w^{(L)}", "--to", "tex", "--title", text, "--author", text, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert r"\input{/etc" not in done.stdout and r"\write18{" not in done.stdout and r"\openout1" not in done.stdout
    if "7*7" in text:
        assert "7*7" in done.stdout  # still the characters, not 49
    assert not (tmp_path / "PWNED").exists()


@NEEDS_TEX
def test_a_hostile_spec_title_reaches_the_pdf_only_as_its_own_characters(tmp_path, cmdline):
    from symbackprop.render.latex_build import pdf_text

    title = r"\input{/etc/passwd} {{ 7*7 }} \write18{touch PWNED}"
    spec = tmp_path / "net.toml"
    spec.write_text(f"layers = [1, 1]\ntitle = '{title}'\n")
    done = cmdline.run("derive", str(spec), "--wrt", "w^{(L)}", "--to", "pdf", "-o", "out.pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = pdf_text((tmp_path / "out.pdf").read_bytes())
    assert "root:" not in text and "7*7" in text
    assert squash(title) in squash(text)
    assert not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.toml", "out.pdf"]


@pytest.mark.parametrize("name", ["$(touch PWNED).txt", "{{ 7*7 }}.txt", "a;touch PWNED.txt", "-o.txt"])
def test_a_hostile_output_path_is_just_a_file_name(name, tmp_path, cmdline):
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "-o", f"./{name}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / name).read_text().startswith("The derivative of the cost C_0 with respect to w^(L)")
    assert not (tmp_path / "PWNED").exists()


def test_a_hostile_template_directory_name_is_only_a_path(tmp_path, cmdline):
    weird = tmp_path / "{{ 7*7 }} $(touch PWNED)"
    weird.mkdir()
    (weird / "derivation.txt.j2").write_text(r"title: \VAR{ d.symbol | text }" + "\n")
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--templates", str(weird), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "title: w^(L)\n"
    assert not (tmp_path / "PWNED").exists()


def test_a_missing_template_directory_is_one_line(tmp_path, cmdline):
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--templates", "{{ 7*7 }}", cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "49" not in done.stderr


@pytest.mark.parametrize("symbol", [r"\input{x}", "{{ 7*7 }}", r"\VAR{ 7*7 }", "a}b", "x\ny"])
def test_a_hostile_preset_symbol_is_refused(symbol, tmp_path, cmdline):
    preset = tmp_path / "evil.toml"
    escaped = symbol.replace("\\", "\\\\").replace("\n", "\\n")
    preset.write_text(f'name = "evil"\ncost_symbol = "{escaped}"\n')
    done = cmdline.run("derive", "--layers", "1,1", "--notation", str(preset), "--wrt", "w^{(L)}", cwd=tmp_path)
    assert done.returncode == 2
    assert "plain symbol" in done.stderr


# Numbers that would take minutes to expand, or overflow SymPy or Python, each answered at once
# with its place: (the claim, words the one-line message must hold, the position it names).
HOSTILE_NUMBERS = [
    (r"(a_1^{(L)} - y_1)^{99999999}", "exponent 99999999 is too large", 20),
    (r"10^{10^{10}}", "exponent 10^{10} is too large", 5),
    (r"2^{2^{2^{2^{2^{2}}}}}", "exponent 2^{2^{2^{2}}} is too large", 7),
    (r"10^{10^{6}}", "exponent 10^{6} is too large", 5),
    ("e^{" * 10 + "1" + "}" * 10, "exponent e^{e^{e^{1}}} is too large", 22),
    ("e^{" * 10 + "z_1^{(L)}" + "}" * 10, "nested more than 2 deep", 22),
    (r"\exp(\exp(\exp(z_1^{(L)})))", "nested more than 2 deep", 1),
    (r"(10^{99})^{99}", "more than 100 digits", 1),
    (r"\exp(\exp(\exp(10)))", "more than 100 digits", 6),
    ("1" + "0" * 3000, "too long", 1),
    (" ".join([r"10^{99}"] * 400), "more than 100 digits", 1),
    (r"(a_1^{(L)} - y_1)^{60} (a_1^{(L)} - y_1)^{60}", "a power above 100", 1),
    (r"2(a_1^{(L)} - y_1)^{1/0}", "division by zero", 23),
]


@pytest.mark.parametrize(("claim", "words", "position"), HOSTILE_NUMBERS, ids=range(len(HOSTILE_NUMBERS)))
def test_a_hostile_number_is_answered_at_once_with_its_place(claim, words, position, tmp_path, cmdline):
    start = time.monotonic()
    done = cmdline.run(
        "verify", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", claim, "--json", cwd=tmp_path
    )
    assert time.monotonic() - start < 8  # the interpreter and SymPy take about one of these seconds
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1 and "internal error" not in line
    assert words in line and "the claim cannot be read at position" in line
    data = json.loads(done.stdout)
    assert data["verdict"] == "unparseable" and words in data["error"]["reason"]
    if position is not None:
        assert data["error"]["position"] == position


def test_a_power_of_100_is_still_a_verdict_within_seconds(tmp_path, cmdline):
    start = time.monotonic()
    done = cmdline.run(
        "verify", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", r"(a_1^{(L)} - y_1)^{100}", cwd=tmp_path
    )
    assert time.monotonic() - start < 20
    assert done.returncode == 1 and done.stdout.startswith("verdict: incorrect"), done.stderr


COMMANDS = [
    ["derive", "example:deeplizard", "--wrt", "w_{22}^{(L-1)}", "--to", "text"],
    ["derive", "example:deeplizard", "--wrt", "w_{22}^{(L-1)}", "--to", "tex-body"],
    ["derive", "example:worked", "--wrt", "all", "--to", "tex"],
    ["verify", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", r"2(a_1^{(L)} - y_1) a_2^{(L-1)}", "--json"],
    ["verify", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", r"(a_1^{(L)} - y_1) a_2^{(L-1)}"],
    ["verify", "example:mazur"],
    ["verify", "example:mazur", "--json"],
    ["gradcheck", "example:worked", "--json"],
    ["evaluate", "example:worked"],
    ["worksheet", "example:deeplizard", "--wrt", "w_{21}^{(L-2)}", "--fade", "3", "--to", "tex"],
    ["worksheet", "example:mazur", "--wrt", "w_{11}^{(1)}", "--fade", "2", "--key", "--to", "html"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a[:2] + a[-1:]) for a in COMMANDS])
def test_every_format_is_byte_identical_run_to_run(args, tmp_path, cmdline):
    first, second = cmdline.process(*args, cwd=tmp_path), cmdline.process(*args, cwd=tmp_path)
    assert first.stdout == second.stdout and first.stdout
    assert first.returncode == second.returncode


@NEEDS_TEX
def test_the_pdf_is_byte_identical_run_to_run(tmp_path, cmdline):
    for name in ("a.pdf", "b.pdf"):
        done = cmdline.process(
            "derive", "example:mazur", "--wrt", "w_{00}^{(1)}", "--to", "pdf", "-o", name, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
