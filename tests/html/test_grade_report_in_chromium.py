"""A class's report.html loaded in a real headless Chromium: it opens with no console error, keeps its headings
in order and its language set, does not scroll sideways on a phone, and stays inert whatever the students
wrote (a script in a student's name shows as text, escaped once, and runs nothing)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from symbackprop.api.grading import grade
from symbackprop.base.resources import templates_dir

from ..cli.test_grade_command import HOSTILE, class_files
from .browser import NEEDS_CHROMIUM, Browser

pytestmark = NEEDS_CHROMIUM

REPORT_FACTS = """(() => ({
  text: document.body.innerText,
  lang: document.documentElement.lang,
  title: document.title,
  headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])),
  scripts: document.querySelectorAll('script').length,
  images: document.querySelectorAll('img').length,
  rows: document.querySelectorAll('tbody tr').length,
  scroll_width: document.documentElement.scrollWidth,
  width: window.innerWidth,
}))()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def facts(browser: Browser, page: Path, width: int) -> dict:
    browser.load(page, width, 844)
    found = browser.evaluate(REPORT_FACTS)
    found["errors"] = browser.errors()
    return found


def check_report(found: dict) -> None:
    assert found["errors"] == []
    assert found["lang"] == "en" and found["title"].strip()
    levels = found["headings"]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), f"headings skip a level: {levels}"
    assert found["scripts"] == 0 and found["images"] == 0
    assert found["scroll_width"] <= found["width"], "the report scrolls sideways"


def test_the_example_class_report_opens_clean_on_a_desk_and_a_phone(browser: Browser, tmp_path: Path) -> None:
    folder = templates_dir() / "examples" / "class"
    grade(folder / "questions.toml", folder / "answers.csv", tmp_path, workers=1)
    for width in (1100, 390):
        found = facts(browser, tmp_path / "report.html", width)
        check_report(found)
        assert "Line 2 is the first wrong line" in found["text"]


def test_a_hostile_class_report_shows_what_students_wrote_as_text(browser: Browser, tmp_path: Path) -> None:
    questions, answers = class_files(tmp_path, HOSTILE)
    grade(questions, answers, tmp_path / "out", workers=1)
    found = facts(browser, tmp_path / "out" / "report.html", 1100)
    check_report(found)
    text = found["text"]
    assert "<script>alert(1)</script>" in text and 'o\'neil "&amp;"' in text  # as written, escaped once
    assert "unexpected '<'" in text and "&#" not in text and "&lt;" not in text
