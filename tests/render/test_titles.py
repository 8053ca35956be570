"""Titles and authors in any language the document's fonts have, printed exactly; any other refused by name.

Dvořák, Łukasz, Ångström, Gödel and naïve print as typed, and Greek letters as math; a character
pdflatex cannot print with the shipped packages (CJK, emoji, Cyrillic) is a one-line error naming
it, its code point and the option it came from, with nothing written. Escaping stays complete.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.base.errors import SpecError
from symbackprop.base.resources import templates_dir
from symbackprop.render.escape import escape_tex, untypesettable
from symbackprop.render.tex_characters import MATH, TEXT

from ..needs import NEEDS_TEX

NAMES = "Dvořák, Łukasz, Ångström, Gödel, naïve"
TITLE = f"{NAMES}: The δ rule"
AUTHOR = "Łukasz Dvořák and Kurt Gödel"


def test_latin_letters_beyond_latin_1_are_kept_and_greek_becomes_math():
    assert escape_tex(NAMES) == NAMES
    assert escape_tex("The δ rule") == r"The \ensuremath{\delta} rule"
    assert escape_tex("ΣΑ") == r"\ensuremath{\Sigma}\ensuremath{\mathrm{A}}"


def test_a_decomposed_accent_is_composed_first():
    assert escape_tex("Go\u0308del") == "Gödel"


@pytest.mark.parametrize(
    ("text", "code"), [("中文", "U+4E2D"), ("🙂", "U+1F642"), ("Дмитрий", "U+0414"), ("a\u200bb", "U+200B")]
)
def test_a_character_the_fonts_lack_is_refused_by_code_point(text, code):
    with pytest.raises(SpecError, match=re.escape(code)):
        escape_tex(text)
    assert code in untypesettable(text)


def test_ligatures_that_would_change_the_text_are_broken():
    assert escape_tex("a--b<<c>>,,d''e!`") == "a-{}-b<{}<c>{}>,{},d'{}'e!{}`"


ALLOWED = re.compile(
    r"\\textbackslash\{\}|\\textasciicircum\{\}|\\textasciitilde\{\}|\\[{}$&#%_]|\{\}"
    r"|\\ensuremath\{(?:" + "|".join(re.escape(v) for v in MATH.values()) + r")\}"
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_escaping_is_complete(text):
    """Whatever the text, the output holds LaTeX's special characters only inside the escapes made for them."""
    try:
        out = escape_tex(text)
    except SpecError as err:
        assert "U+" in str(err) and untypesettable(text) is not None
        return
    rest = ALLOWED.sub("", out)
    assert not set(rest) & set("\\{}$&#^_~%"), (text, out)
    assert all((ch.isascii() and ch.isprintable()) or ch in TEXT for ch in rest), (text, out)


@pytest.mark.parametrize("option", ["--title", "--author"])
@pytest.mark.parametrize("fmt", ["pdf", "tex"])
def test_a_title_or_author_the_fonts_lack_is_refused_naming_it(option, fmt, tmp_path, cmdline):
    done = cmdline.run(
        "derive", "example:3b1b", "--wrt", "w^{(L)}", "--to", fmt, "-o", f"out.{fmt}", option, "深度 🙂", cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert f"{option}: the character '深' (U+6DF1 CJK UNIFIED IDEOGRAPH-6DF1) cannot be printed" in line
    assert list(tmp_path.iterdir()) == []


def test_a_spec_title_the_fonts_lack_is_refused_naming_the_spec_and_key(tmp_path, cmdline):
    (tmp_path / "net.toml").write_text('layers = [1, 1]\nauthor = "Σ 🙂"\n', encoding="utf-8")
    done = cmdline.run("derive", "net.toml", "--wrt", "w^{(L)}", "--to", "tex", "-o", "out.tex", cwd=tmp_path)
    assert done.returncode == 2 and "net.toml: author: the character '🙂' (U+1F642" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.toml"]
    done = cmdline.run("derive", "net.toml", "--wrt", "w^{(L)}", cwd=tmp_path)  # text has no title: nothing to refuse
    assert done.returncode == 0, done.stderr


@NEEDS_TEX
def test_names_beyond_latin_1_and_greek_come_out_of_the_pdf_exactly(tmp_path, cmdline):
    from symbackprop.render.latex_build import pdf_text, pdf_to_png

    args = ("--title", TITLE, "--author", AUTHOR, "--to", "pdf", "-o", "names.pdf")
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "names.pdf").read_bytes()
    text = pdf_text(pdf)
    for word in ("Dvořák", "Łukasz", "Ångström", "Gödel", "naïve", "δ", "Łukasz Dvořák"):
        assert word in text, word
    assert f"{NAMES}: The δ rule" in " ".join(text.split())
    assert "?" not in text.split("The network")[0]  # nothing replaced
    assert pdf_to_png(pdf).startswith(b"\x89PNG")


@NEEDS_TEX
def test_every_character_the_table_allows_prints_with_the_documents_packages():
    """Each character of TEXT and MATH, escaped, in a document with the shipped preamble: pdflatex finds a glyph
    for every one (\\tracinglostchars=3 makes a missing glyph an error)."""
    from symbackprop.render.latex_build import build

    preamble = (templates_dir() / "preamble.tex.j2").read_text(encoding="utf-8")
    lines = [escape_tex(ch) for ch in sorted(TEXT | set(MATH))]
    source = "\\documentclass{article}\n" + preamble + "\\tracinglostchars=3\n\\begin{document}\n"
    source += "\n".join(f"{line}\\par" for line in lines) + "\n\\end{document}\n"
    result = build(source, checked=False)  # with \tracinglostchars, a test's own document
    assert "Missing character" not in result.log
    assert result.pdf.startswith(b"%PDF")


def test_the_general_form_takes_the_spec_title_and_author_as_every_document_does(tmp_path, cmdline):
    (tmp_path / "net.toml").write_text('layers = [2, 2]\ntitle = "Gödel"\nauthor = "Ångström"\n', encoding="utf-8")
    done = cmdline.run("derive", "net.toml", "--wrt", "w_{jk}^{(l)}", "--to", "tex", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert r"{\LARGE Gödel\par}" in done.stdout and r"\centering Ångström}" in done.stdout
