"""Every built-in example's page, and a verdict page of each kind, loaded in a real headless Chromium: no errors,
no raw TeX in what a reader sees, every formula MathML that the browser lays out, a figure with a title and a
description, headings in order, the language set, and nothing wider than a phone's screen but a formula box."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from symbackprop.base.resources import example_names

from .browser import NEEDS_CHROMIUM, Browser
from .pages import ALL_PAGES, VERDICTS, all_page, example_page, figures_of, verdict_pages

pytestmark = NEEDS_CHROMIUM

PAGE_FACTS = """(() => {
  const maths = [...document.querySelectorAll('math')];
  const svgs = [...document.querySelectorAll('main svg')];
  const label = (svg) => (svg.getAttribute('aria-labelledby') || '').split(' ')
      .map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
  const wide = [...document.querySelectorAll('main *')].filter((e) => {
      const r = e.getBoundingClientRect();
      return r.right > window.innerWidth + 1 && !e.closest('.display, .table-wrap, .scroll, ul.factors li, dd');
  }).map((e) => e.tagName + '.' + e.className);
  let text = document.body.innerText;  // less the claim as the user typed it, which a verdict page quotes
  for (const quoted of document.querySelectorAll('pre.claim')) text = text.replace(quoted.innerText, '');
  return {
    text: text,
    lang: document.documentElement.lang,
    title: document.title,
    headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])),
    maths: maths.length,
    exposed: maths.filter((m) => !m.closest('[aria-hidden="true"]')).length,
    mathml: maths.filter((m) => m.namespaceURI === 'http://www.w3.org/1998/Math/MathML').length,
    unlaid: maths.filter((m) => m.getBoundingClientRect().width === 0).length,
    unknown: [...document.querySelectorAll('math *')].filter((e) => e.constructor.name === 'MathMLElement'
        && !['math','mi','mn','mo','ms','mtext','mspace','mrow','mfrac','msqrt','mroot','mstyle','merror',
             'mpadded','mphantom','msub','msup','msubsup','munder','mover','munderover','mmultiscripts',
             'mprescripts','none','mtable','mtr','mtd','semantics','annotation','annotation-xml']
             .includes(e.tagName.toLowerCase())).map((e) => e.tagName),
    svgs: svgs.map((s) => ({role: s.getAttribute('role'), label: label(s),
        title: (s.querySelector('title') || {}).textContent || ''})),
    images_without_alt: [...document.querySelectorAll('img:not([alt])')].length,
    scroll_width: document.documentElement.scrollWidth,
    width: window.innerWidth,
    wide: wide,
  };
})()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pages")


@pytest.fixture(scope="module")
def verdicts(folder: Path) -> dict[str, Path]:
    return verdict_pages(folder)


def facts(browser: Browser, page: Path, width: int) -> dict:
    browser.load(page, width, 844)
    found = browser.evaluate(PAGE_FACTS)
    found["errors"] = browser.errors()
    return found


def check_page(found: dict, figures: int) -> None:
    assert found["errors"] == []
    text = found["text"]
    for tex in ("\\frac", "\\partial", "\\sum", "\\left", "$", "\\"):
        assert tex not in text, f"raw TeX {tex!r} shows on the page"
    assert found["maths"] > 0 and found["mathml"] == found["maths"]
    assert found["unlaid"] == 0, "a formula the browser did not lay out"
    assert found["unknown"] == [], "MathML outside MathML Core, which Chromium does not draw"
    assert found["lang"] == "en" and found["title"].strip()
    levels = found["headings"]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), f"headings skip a level: {levels}"
    assert found["images_without_alt"] == 0
    assert len(found["svgs"]) == figures
    for svg in found["svgs"]:
        assert svg["role"] == "img" and svg["title"].strip() and len(svg["label"]) > len(svg["title"])


def check_accessibility_tree(browser: Browser, found: dict) -> None:
    """What Chromium hands a screen reader (its accessibility tree): each formula as MathML math, the figure
    as an image named by its title and description, the headings in order."""
    nodes = [n for n in browser.call("Accessibility.getFullAXTree")["nodes"] if not n.get("ignored")]
    role = lambda n: n.get("role", {}).get("value")  # noqa: E731
    assert sum(1 for n in nodes if role(n) == "MathMLMath") == found["exposed"] > 0  # the figure's labels: hidden
    images = [n.get("name", {}).get("value", "") for n in nodes if role(n) == "image"]
    assert len(images) == len(found["svgs"])
    for name, svg in zip(images, found["svgs"], strict=True):
        assert name.startswith(svg["title"]) and len(name) > len(svg["title"])  # the title, then the description
    levels = [
        next(p["value"]["value"] for p in n.get("properties", []) if p["name"] == "level")
        for n in nodes
        if role(n) == "heading"
    ]
    assert levels == found["headings"]


@pytest.mark.parametrize("name", example_names())
def test_example_page_in_chromium(browser: Browser, folder: Path, name: str) -> None:
    page = example_page(name, folder)
    desktop = facts(browser, page, 1100)
    check_page(desktop, figures=figures_of(name))
    check_accessibility_tree(browser, desktop)
    phone = facts(browser, page, 390)
    check_page(phone, figures=figures_of(name))
    assert phone["scroll_width"] <= phone["width"], "the page scrolls sideways on a phone"
    assert phone["wide"] == []


@pytest.mark.parametrize("name", ALL_PAGES)
def test_every_weight_page_in_chromium(browser: Browser, folder: Path, name: str) -> None:
    page = all_page(name, folder)
    for width in (1100, 390):
        found = facts(browser, page, width)
        check_page(found, figures=1)
        assert found["scroll_width"] <= found["width"] and found["wide"] == []


@pytest.mark.parametrize("name", list(VERDICTS))
def test_verdict_page_in_chromium(browser: Browser, verdicts: dict[str, Path], name: str) -> None:
    for width in (1100, 390):
        found = facts(browser, verdicts[name], width)
        check_page(found, figures=0)
        assert found["scroll_width"] <= found["width"]
    assert ("Verdict: correct" in found["text"]) == (name == "verdict-correct")


def test_a_hostile_title_is_text_in_chromium(browser: Browser, folder: Path) -> None:
    """A title holding markup is shown as the characters typed: no element, no script runs."""
    from symbackprop.cli import main

    out = folder / "hostile.html"
    title = '<img src=x onerror="console.error(1)"><script>console.error(2)</script>'
    assert main(["derive", "example:worked", "--wrt", "w_{11}^{(L)}", "--title", title, "-o", str(out)]) == 0
    found = facts(browser, out, 1100)
    assert found["errors"] == []
    assert title in found["text"]
    assert browser.evaluate("document.querySelectorAll('main img, main script').length") == 0


PRESET_PAGES = {
    "3b1b": "w_{12}^{(L-2)}",
    "deeplizard": "w_{12}^{(L-2)}",
    "nielsen": "w_{12}^{2}",
    "goodfellow": "W_{12}^{(1)}",
}


@pytest.mark.parametrize("preset", sorted(PRESET_PAGES))
def test_every_preset_page_in_chromium(browser: Browser, folder: Path, preset: str) -> None:
    """Each preset's page of a hidden weight of 4-5-5-3, its story told its source's way, renders with no raw TeX."""
    from symbackprop.cli import main

    out = folder / f"preset-{preset}.html"
    args = ["derive", "--layers", "4,5,5,3", "--notation", preset, "--wrt", PRESET_PAGES[preset], "-o", str(out)]
    assert main(args) == 0
    for width in (1100, 390):
        found = facts(browser, out, width)
        check_page(found, figures=1)
        assert found["scroll_width"] <= found["width"]
    check_accessibility_tree(browser, facts(browser, out, 1100))
    told = {"nielsen": "BP2", "goodfellow": "←", "3b1b": "One neuron per layer first", "deeplizard": "summed over"}
    assert told[preset] in found["text"]


SOFTMAX_PAGES = {"nielsen": ("w_{12}^{2}", "BP1"), "goodfellow": ("W_{12}^{(1)}", "←")}


@pytest.mark.parametrize("preset", sorted(SOFTMAX_PAGES))
def test_softmax_story_page_in_chromium(browser: Browser, folder: Path, preset: str) -> None:
    """A softmax output layer's step told the preset's way (BP1 or g <- grad J through the softmax's Jacobian)
    renders with no raw TeX, on a desktop and on a phone."""
    from symbackprop.cli import main

    wrt, told = SOFTMAX_PAGES[preset]
    out = folder / f"softmax-{preset}.html"
    args = ["derive", "--layers", "4,5,3", "--activation", "tanh,softmax", "--cost", "cross_entropy"]
    assert main([*args, "--notation", preset, "--wrt", wrt, "-o", str(out)]) == 0
    for width in (1100, 390):
        found = facts(browser, out, width)
        check_page(found, figures=1)
        assert found["scroll_width"] <= found["width"]
    assert "summed over the softmax's outputs" in found["text"] and told in found["text"]
    assert "diag" in found["text"]


NIELSEN_ALL = {
    "sigmoid": ["--layers", "4,5,5,3"],
    "softmax": ["--layers", "4,5,3", "--activation", "tanh,softmax", "--cost", "cross_entropy"],
}


@pytest.mark.parametrize("preset", ["nielsen", "goodfellow"])
@pytest.mark.parametrize("name", sorted(NIELSEN_ALL))
def test_story_every_weight_page_in_chromium(browser: Browser, folder: Path, name: str, preset: str) -> None:
    """The --wrt all page told through the errors (Nielsen's BP1, BP2, then BP3/BP4 by layer; Goodfellow's
    Algorithm 6.4 layer by layer) renders with no raw TeX and no console error, on a desktop and on a phone, its
    links to the error steps all landing."""
    from symbackprop.cli import main

    out = folder / f"{preset}-all-{name}.html"
    assert main(["derive", *NIELSEN_ALL[name], "--notation", preset, "--wrt", "all", "-o", str(out)]) == 0
    for width in (1100, 390):
        found = facts(browser, out, width)
        check_page(found, figures=1)
        assert found["errors"] == [] and found["scroll_width"] <= found["width"]
    check_accessibility_tree(browser, facts(browser, out, 1100))
    if preset == "nielsen":
        assert "The error of each neuron" in found["text"] and "BP2" in found["text"] and "BP4" in found["text"]
    else:
        assert "The backward pass of Algorithm 6.4" in found["text"] and "←" in found["text"]
    links = "[...document.querySelectorAll('a[href^=\"#error-\"]')]"
    assert browser.evaluate(f"{links}.length > 0 && {links}.every(a => document.querySelector(a.getAttribute('href')))")
