"""The worksheet command end to end: the sheet and its key as PDF (the real pdflatex) and as a web page (loaded
in Chromium), the same bytes on a second run, and a bad --fade refused in one line with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.html.browser import NEEDS_CHROMIUM, Browser
from tests.html.test_pages_in_chromium import PAGE_FACTS, check_page
from tests.needs import NEEDS_TEX

SHEET = ("worksheet", "example:3b1b", "--wrt", "w^{(L-2)}")
PAGE = ("worksheet", "example:mazur", "--wrt", "w_{11}^{(1)}")


@pytest.mark.parametrize("fade", ["-1", "4", "99"])
def test_a_bad_fade_is_one_line_and_writes_nothing(cmdline, tmp_path: Path, fade: str) -> None:
    out = tmp_path / "sheet.pdf"
    done = cmdline.run(*SHEET, "--fade", fade, "-o", str(out))
    assert done.returncode == 2 and not out.exists() and done.stdout == ""
    assert done.stderr.count("\n") == 1 and f"--fade {fade}: this derivation has 3 steps" in done.stderr


def test_the_sheet_blanks_the_last_steps_and_the_key_fills_them(cmdline, tmp_path: Path) -> None:
    sheet, key = tmp_path / "sheet.tex", tmp_path / "key.tex"
    assert cmdline.run(*SHEET, "--fade", "2", "-o", str(sheet)).returncode == 0
    assert cmdline.run(*SHEET, "--fade", "2", "--key", "-o", str(key)).returncode == 0
    s, k = sheet.read_text(), key.read_text()
    assert (
        "Step 1 (chain rule; cost's derivative, activation's derivative, sum rule): "
        "how the cost depends on $a^{(L-1)}$}" in s
    )
    assert "By the chain rule" in s
    assert s.count("(your turn)") == 2 and s.count("YOUR ANSWER") >= 2 and "boxed" not in s
    quote = "\\textquotesingle{}"  # a straight quote, so that the command copied from the PDF runs
    assert f"verify example:3b1b -{{}}-wrt {quote}a\\textasciicircum{{}}\\{{(L-2)\\}}{quote}" in s
    assert k.count("(your turn)") == 2 and "YOUR ANSWER" not in k and k.count("boxed") == 2


@NEEDS_TEX
@pytest.mark.parametrize("key", [(), ("--key",)])
def test_the_pdf_compiles_the_same_twice(cmdline, tmp_path: Path, key: tuple[str, ...]) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for out in (first, second):
        assert cmdline.run(*SHEET, "--fade", "2", *key, "-o", str(out)).returncode == 0
    assert first.read_bytes().startswith(b"%PDF") and first.read_bytes() == second.read_bytes()


def test_the_page_is_the_same_twice(cmdline, tmp_path: Path) -> None:
    pages = [tmp_path / "a.html", tmp_path / "b.html"]
    for out in pages:
        assert cmdline.run(*PAGE, "--fade", "1", "-o", str(out)).returncode == 0
    assert pages[0].read_bytes() == pages[1].read_bytes()


@NEEDS_CHROMIUM
@pytest.mark.parametrize("key", [(), ("--key",)])
def test_the_page_loads_in_chromium(cmdline, tmp_path: Path, key: tuple[str, ...]) -> None:
    page = tmp_path / "sheet.html"
    assert cmdline.run(*PAGE, "--fade", "2", *key, "-o", str(page)).returncode == 0
    with Browser() as browser:
        browser.load(page, 1280, 844)
        found = browser.evaluate(PAGE_FACTS)
        found["errors"] = browser.errors()
        check_page(found, 1)
        boxes = browser.evaluate("document.querySelectorAll('.answer-box').length")
    assert boxes == (0 if key else 2)
    assert ("YOUR ANSWER" in found["text"]) == (not key)


@pytest.mark.parametrize(
    ("fade", "blank", "lede"),
    [("0", 0, "Every step of this derivation is worked"), ("3", 3, "Every one of the 3 steps")],
)
def test_no_blank_and_every_step_blank(cmdline, tmp_path: Path, fade: str, blank: int, lede: str) -> None:
    out = tmp_path / "sheet.tex"
    assert cmdline.run(*SHEET, "--fade", fade, "-o", str(out)).returncode == 0
    text = out.read_text()
    assert text.count("(your turn)") == blank and lede in text
    assert text.count("By the chain rule") == 3 - blank


HOSTILE = r"\input{/etc/passwd} 50% a_b $x$ <script>alert(1)</script>"


@NEEDS_TEX
def test_a_hostile_title_is_text_in_the_pdf_and_the_page(cmdline, tmp_path: Path) -> None:
    pdf, page = tmp_path / "sheet.pdf", tmp_path / "sheet.html"
    assert cmdline.run(*SHEET, "--fade", "1", "--title", HOSTILE, "-o", str(pdf)).returncode == 0
    assert cmdline.run(*SHEET, "--fade", "1", "--title", HOSTILE, "-o", str(page)).returncode == 0
    assert "<script>" not in page.read_text() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.read_text()
    assert pdf.read_bytes().startswith(b"%PDF")


STORY_SHEETS = {"nielsen": "w_{12}^{2}", "goodfellow": "W_{12}^{(1)}"}


@pytest.mark.parametrize("preset", sorted(STORY_SHEETS))
def test_a_story_presets_sheet_tells_the_story_and_its_key_verifies(cmdline, tmp_path: Path, preset: str):
    """Under a preset whose document tells the backward story, a hidden weight's sheet is that story's steps (BP1
    at the softmax output, BP2, BP3/BP4; Goodfellow's lines), each blank a claim verify reads: the key's commands
    say correct, a sign flipped is caught, and the sheet defines every symbol it uses."""
    import shlex

    from symbackprop.derive.derivation import derive
    from symbackprop.model.network import Network
    from symbackprop.model.printing import printers
    from symbackprop.verify.claims import verify_claim
    from symbackprop.worksheets import blanks, step_count
    from tests.documents.test_symbols_defined import undefined

    from .test_blanks import filled

    spec = ("--layers", "2,3,3", "--activation", "tanh,softmax", "--cost", "cross_entropy", "--notation", preset)
    args = ("worksheet", *spec, "--wrt", STORY_SHEETS[preset], "--fade", "2")
    sheet, key, page = tmp_path / "sheet.tex", tmp_path / "key.tex", tmp_path / "sheet.html"
    assert cmdline.run(*args, "-o", str(sheet)).returncode == 0
    assert cmdline.run(*args, "--key", "-o", str(key)).returncode == 0
    assert cmdline.run(*args, "-o", str(page)).returncode == 0
    s = sheet.read_text()
    assert s.count("(your turn)") == 2 and undefined(s) == set()
    heads = ["Step 1 (BP1: ", "Step 2 (BP2: ", "Step 3 (BP3 and BP4: "]
    if preset == "goodfellow":
        heads = ["Step 1 (the cost's", r"$g \leftarrow W^{(2)T} g$", "Step 3 (the sum rule"]
    assert all(h in s for h in heads), heads
    net = Network(layers=[2, 3, 3], activation=["tanh", "softmax"], cost="cross_entropy", notation=preset)
    d = derive(net, net.ref(STORY_SHEETS[preset]))
    found = blanks(d, 2, list(spec))
    _, tex = printers(net.notation, net.layers)
    for blank in found:
        done = cmdline.run(*shlex.split(blank.key_command)[1:])
        assert done.returncode == 0 and "correct" in done.stdout.lower(), blank.key_command
        assert verify_claim(net, filled(blank, tex.doprint(-blank.answer)), blank.wrt).verdict == "incorrect"
    assert step_count(d) == 3 and [b.step for b in found] == [2, 3]
    lead = r"\delta_{j}^{2} = " if preset == "nielsen" else r"\frac{\partial J}{\partial a_{j}^{(1)}} = "
    assert found[0].claim.startswith(lead)


NIELSEN = ("worksheet", "--layers", "2,3,2", "--notation", "nielsen", "--wrt", "w_{11}^{2}", "--fade", "2")
GOODFELLOW = ("worksheet", "--layers", "2,3,2", "--notation", "goodfellow", "--wrt", "W_{11}^{(1)}", "--fade", "2")


@NEEDS_TEX
@pytest.mark.parametrize("args", [NIELSEN, GOODFELLOW], ids=["nielsen", "goodfellow"])
@pytest.mark.parametrize("key", [(), ("--key",)])
def test_a_story_sheet_compiles_the_same_twice(cmdline, tmp_path: Path, args, key: tuple[str, ...]) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for out in (first, second):
        assert cmdline.run(*args, *key, "-o", str(out)).returncode == 0
    assert first.read_bytes().startswith(b"%PDF") and first.read_bytes() == second.read_bytes()


@NEEDS_CHROMIUM
@pytest.mark.parametrize("args", [NIELSEN, GOODFELLOW], ids=["nielsen", "goodfellow"])
@pytest.mark.parametrize("key", [(), ("--key",)])
def test_a_story_sheets_page_loads_in_chromium_the_same_twice(cmdline, tmp_path: Path, args, key) -> None:
    pages = [tmp_path / "a.html", tmp_path / "b.html"]
    for out in pages:
        assert cmdline.run(*args, *key, "-o", str(out)).returncode == 0
    assert pages[0].read_bytes() == pages[1].read_bytes()
    with Browser() as browser:
        browser.load(pages[0], 1280, 844)
        found = browser.evaluate(PAGE_FACTS)
        found["errors"] = browser.errors()
        check_page(found, 1)
        boxes = browser.evaluate("document.querySelectorAll('.answer-box').length")
    assert boxes == (0 if key else 2)
    text = found["text"]
    assert ("BP1" in text and "BP2" in text) == (args is NIELSEN)
    assert text.count("(your turn)") == 2 and ("YOUR ANSWER" in text) == (not key)
