"""A working cut into its lines: the breaks found whatever the text, and nothing else changed."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.base.errors import SpecError
from symbackprop.grade.working import MAX_ANSWER_CHARS, MAX_LINES, lines_of


def claims(text: str) -> list[str]:
    return [line.claim for line in lines_of(text)]


def test_an_align_environment_is_its_lines_with_the_alignment_taken_out():
    text = r"""\begin{align*}
    \frac{\partial C_0}{\partial w} &= 2(a - y) \sigma'(z) x \\[2pt]
    &= 2 a \sigma'(z) x - 2 y \sigma'(z) x \\
    \end{align*}"""
    assert claims(text) == [
        r"\frac{\partial C_0}{\partial w} = 2(a - y) \sigma'(z) x",
        r"2 a \sigma'(z) x - 2 y \sigma'(z) x",
    ]
    assert [line.value for line in lines_of(text)] == [r"2(a - y) \sigma'(z) x", r"2 a \sigma'(z) x - 2 y \sigma'(z) x"]


def test_a_formula_is_one_line_and_display_delimiters_go():
    assert claims(r"$$ 2(a - y) $$") == ["2(a - y)"]
    assert claims(r"\[ x \]") == ["x"]


def test_an_escaped_ampersand_and_a_backslash_before_a_command_stay():
    assert claims(r"\& a \\\alpha") == [r"\& a", r"\alpha"]


def test_a_comment_hides_a_break_as_latex_does():
    assert claims("a % not a break \\\\ here\n = b \\\\ c") == ["a = b", "c"]


def test_the_value_is_after_the_last_equals_outside_braces():
    (line,) = lines_of(r"\frac{dC}{dw} = \sum_{j=0}^{3} [i = j] w_j")
    assert line.value == r"\sum_{j=0}^{3} [i = j] w_j"


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "empty"), (" \\\\ & \\\\ ", "empty"), ("x" * (MAX_ANSWER_CHARS + 1), "characters long"),
     ("a \\\\ " * (MAX_LINES + 1), "lines")],
)  # fmt: skip
def test_text_that_is_no_working_is_refused_in_words(text, words):
    with pytest.raises(SpecError, match=words):
        lines_of(text)


@given(st.text(alphabet="\\&%{}[]()=$ ab\n", max_size=300))
def test_any_text_splits_or_is_refused_and_no_line_keeps_a_break_or_an_alignment_mark(text):
    try:
        lines = lines_of(text)
    except SpecError:
        return
    assert 1 <= len(lines) <= text.count("\\\\") + 1
    for line in lines:
        assert line.claim.strip() and "\n" not in line.claim
        unescaped = line.claim.replace("\\\\", "").replace("\\&", "")
        assert "&" not in unescaped


@given(st.lists(st.text(alphabet="abxyz+-()^_{} ", min_size=1, max_size=20).filter(str.strip), min_size=1, max_size=8))
def test_lines_joined_by_breaks_come_back_as_written(pieces):
    assert claims(" \\\\ ".join(pieces)) == [" ".join(p.split()) for p in pieces]


def test_hostile_text_at_the_size_limit_splits_in_linear_time():
    start = time.perf_counter()
    for text in ("\\" * MAX_ANSWER_CHARS, "{" * MAX_ANSWER_CHARS, "%" * MAX_ANSWER_CHARS, "\\\\[" * 6000):
        with contextlib.suppress(SpecError):
            lines_of(text)
    assert time.perf_counter() - start < 2.0
