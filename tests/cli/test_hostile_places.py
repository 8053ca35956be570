"""Every hostile string in every place a user can type it, and byte-identical output for the other formats.

test_hostile.py sends each string through titles and authors and a few through the other
places; here each one goes through every place: a preset's symbol, the name of a
template directory, an output path, the title and author of a PDF from the command line
and from a spec. Nothing may run (no PWNED file, no 49, no /etc/passwd in a document).
"""

from __future__ import annotations

import pytest

from ..needs import NEEDS_TEX
from .test_hostile import HOSTILE, squash

IDS = [str(i) for i in range(len(HOSTILE))]


def as_file_name(text: str) -> str:
    """The string as one file name: a slash cannot be part of one."""
    return text.replace("/", "_")


def toml_string(text: str) -> str:
    """The string as a TOML literal string, when it has no single quote; else a basic one, escaped."""
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_every_hostile_string_as_a_preset_symbol_is_refused(text, tmp_path, cmdline):
    for key in ("cost_symbol", "batch_cost_symbol", "generic_activation"):
        (tmp_path / "evil.toml").write_text(f'name = "evil"\n{key} = {toml_string(text)}\n')
        done = cmdline.run("derive", "--layers", "1,1", "--notation", "evil.toml", "--wrt", "w^{(L)}", cwd=tmp_path)
        assert done.returncode == 2, done.stdout
        assert "plain symbol" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_every_hostile_string_as_a_template_directory_is_only_its_name(text, tmp_path, cmdline):
    folder = tmp_path / as_file_name(text)
    folder.mkdir()
    (folder / "derivation.txt.j2").write_text(r"title: \VAR{ d.symbol | text }" + "\n")
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--templates", str(folder), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "title: w^(L)\n"
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_every_hostile_string_as_an_output_path_is_only_a_file_name(text, tmp_path, cmdline):
    name = as_file_name(text) + ".tex"
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--to", "tex", "-o", f"./{name}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = (tmp_path / name).read_text()
    assert written.startswith("%") or written.startswith("\\documentclass")
    assert "root:" not in written and not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@NEEDS_TEX
def test_every_hostile_string_in_a_pdfs_title_and_author_prints_as_its_characters(tmp_path, cmdline):
    """From the command line (--title, --author) and from a spec (title, author), all strings in one PDF each."""
    from symbackprop.render.latex_build import pdf_text

    title, author = " ".join(HOSTILE[:5]), " ".join(HOSTILE[5:])
    spec = tmp_path / "net.toml"
    spec.write_text(f"layers = [1, 1]\ntitle = {toml_string(author)}\nauthor = {toml_string(title)}\n")
    runs = {
        "cli.pdf": ("example:3b1b", "--title", title, "--author", author),
        "spec.pdf": (str(spec),),
    }
    for name, args in runs.items():
        done = cmdline.run("derive", args[0], "--wrt", "w^{(L)}", *args[1:], "--to", "pdf", "-o", name, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        text = squash(pdf_text((tmp_path / name).read_bytes())).replace("’", "'").replace("‘", "`")  # TeX's quotes
        assert squash(title) in text and squash(author) in text
        assert "root:" not in text and "49" not in text.replace(squash(title), "").replace(squash(author), "")
    assert not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.pdf", "net.toml", "spec.pdf"]


COMMANDS = [
    ["derive", "example:deeplizard", "--wrt", "w_{22}^{(L-1)}", "--to", "md"],
    ["derive", "example:deeplizard", "--wrt", "w_{22}^{(L-1)}", "--to", "json"],
    ["derive", "example:deeplizard", "--wrt", "w_{22}^{(L-1)}", "--to", "tex"],
    ["derive", "--layers", "4,3,2", "--wrt", "w_{jk}^{(l)}", "--to", "tex"],
    ["derive", "example:3b1b", "--wrt", "w^{(L)}", "--wrt2", "w^{(L-1)}"],
    ["derive", "example:worked", "--wrt", "all", "--to", "tex"],
    ["codegen", "example:worked"],
    ["codegen", "--layers", "3,4,2", "--activation", "tanh,softmax", "--cost", "cross_entropy", "--backend", "torch"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a[:2] + a[-1:]) for a in COMMANDS])
def test_the_other_formats_are_byte_identical_run_to_run(args, tmp_path, cmdline):
    first, second = cmdline.process(*args, cwd=tmp_path), cmdline.process(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stdout
