"""A blank's prompt and its empty box stay on one page: a sheet whose page ends on "Work out ... = ?" and whose next
page begins with the bare box (and its command) leaves the student a box with no question. Each case below split so
before the blank was one unbreakable block; the PDF is built with the real pdflatex and read page by page."""

from __future__ import annotations

import re

import pytest

import symbackprop as sbp
from symbackprop.derive.derivation import derive
from symbackprop.render.latex_build import build, pdf_text
from symbackprop.render.worksheet import worksheet_html, worksheet_tex
from symbackprop.worksheets import worksheet

from ..needs import NEEDS_TEX

SPLIT = [  # (preset, layers, ref, fade): each had a page beginning with "Check your answer with"
    ("3b1b", [4, 5, 5, 3], "w_{12}^{(1)}", 3),
    ("nielsen", [4, 5, 5, 3], "w_{23}^{2}", 1),
    ("nielsen", [4, 5, 5, 3], "w_{23}^{2}", 4),
    ("goodfellow", [4, 5, 5, 3], "W_{12}^{(1)}", 3),
    ("goodfellow", [4, 5, 5, 3], "W_{12}^{(1)}", 4),
    ("deeplizard", [4, 5, 5, 5, 3], "w_{12}^{(1)}", 4),
]


def _sheet(preset: str, layers: list[int], ref: str, fade: int):
    net = sbp.Network(layers=layers, notation=preset)
    return worksheet(derive(net, net.ref(ref)), fade, ["--layers", ",".join(map(str, layers))])


def prompts(page: str) -> int:
    """A page's blanks' prompts: "Work out", or "...: work out" after the neurons it is for."""
    words = " ".join(page.split())
    return words.lower().count("work out") - words.count("work out each derivative")  # less the sheet's opening


@NEEDS_TEX
@pytest.mark.parametrize(("preset", "layers", "ref", "fade"), SPLIT, ids=[f"{c[0]}-fade{c[3]}" for c in SPLIT])
def test_no_page_separates_a_blanks_prompt_from_its_box(preset, layers, ref, fade):
    pages = pdf_text(build(worksheet_tex(_sheet(preset, layers, ref, fade))).pdf).split("\f")[:-1]
    assert sum(prompts(p) for p in pages) == fade  # every blank is read
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert prompts(page) == page.count("Check your answer with"), number
        assert number == 1 or not lines[0].startswith("Check your answer"), number


@pytest.mark.parametrize(("preset", "layers", "ref", "fade"), SPLIT, ids=[f"{c[0]}-fade{c[3]}" for c in SPLIT])
def test_a_printed_web_sheet_keeps_each_blank_in_one_block(preset, layers, ref, fade):
    """On the web page each blank's prompt, box and command are one element that print does not break inside."""
    page = worksheet_html(_sheet(preset, layers, ref, fade))
    blocks = re.findall(r'<div class="blank">(.*?)</pre>', page, re.S)
    assert len(blocks) == page.count('class="answer-box') == fade
    for block in blocks:
        assert re.search(r"[Ww]ork out</p>", block), block  # "Work out", or "...: work out" after a lead
        assert 'class="answer-box' in block and "Check your answer with" in block
    printing = re.findall(r"@media print \{([^@]*)\}", page)
    assert any(re.search(r"\.blank\b[^{]*\{[^}]*break-inside: avoid", rule) for rule in printing)
