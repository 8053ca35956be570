"""One answer marked: the first wrong line and why, error carried forward, a second mistake, and an answer that
cannot be read or takes too long, each in its own row while the rest are graded."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.grade import marking
from symbackprop.grade.answers import Submission
from symbackprop.grade.marking import Marker
from symbackprop.grade.questions import read_questions

QUESTION = """
[[question]]
id = "q"
spec = "example:3b1b"
wrt = "w^{(L)}"
points = 4
[question.rubric]
factor_2_dropped = 3
sign = 1
"""
D = r"\frac{\partial C_0}{\partial w^{(L)}}"
RIGHT = r"2(a^{(L)} - y) \sigma'(z^{(L)}) a^{(L-1)}"
EXPANDED = r"2 a^{(L)} \sigma'(z^{(L)}) a^{(L-1)} - 2 y \sigma'(z^{(L)}) a^{(L-1)}"
HALF = r"(a^{(L)} - y) \sigma'(z^{(L)}) a^{(L-1)}"
HALF_EXPANDED = r"a^{(L)} \sigma'(z^{(L)}) a^{(L-1)} - y \sigma'(z^{(L)}) a^{(L-1)}"
FLIPPED = r"2(y - a^{(L)}) \sigma'(z^{(L)}) a^{(L-1)}"


@pytest.fixture(scope="module")
def marker(tmp_path_factory):
    path = tmp_path_factory.mktemp("q") / "questions.toml"
    path.write_text(QUESTION, encoding="utf-8")
    return Marker(read_questions(path)["q"])


def mark(marker: Marker, *lines: str, seconds: float = 60.0):
    return marker.mark(Submission(1, "s", "q", " \\\\ ".join(lines)), seconds)


def test_a_right_working_earns_every_point(marker):
    g = mark(marker, f"{D} &= {RIGHT}", f"&= {EXPANDED}")
    assert (g.verdict, g.score, g.first_wrong_line, g.lines) == ("correct", 4.0, None, 2)


def test_an_error_carried_forward_earns_the_rubrics_points_and_says_so(marker):
    g = mark(marker, f"{D} &= {RIGHT}", f"&= {HALF}", f"&= {HALF_EXPANDED}")
    assert (g.verdict, g.diagnosis, g.first_wrong_line, g.score, g.carried) == (
        "incorrect", "factor_2_dropped", 2, 3.0, True
    )  # fmt: skip
    assert "Line 2 is the first wrong line" in g.feedback and "does not follow from line 1" in g.feedback
    assert "Line 3 follows correctly from it (error carried forward)" in g.feedback


def test_a_second_mistake_after_the_first_earns_nothing(marker):
    g = mark(marker, f"{D} = {HALF}", f"= {FLIPPED}")
    assert (g.verdict, g.diagnosis, g.first_wrong_line, g.score, g.carried) == (
        "incorrect", "factor_2_dropped", 1, 0.0, False
    )  # fmt: skip
    assert "Line 2 does not follow from line 1: a second mistake." in g.feedback


def test_a_mistake_corrected_in_a_later_line_is_still_a_mistake(marker):
    g = mark(marker, f"{D} = {HALF}", f"= {RIGHT}")
    assert (g.verdict, g.first_wrong_line, g.score) == ("incorrect", 1, 0.0)


def test_a_line_that_cannot_be_read_after_a_wrong_one_earns_no_carried_credit(marker):
    g = mark(marker, f"{D} = {FLIPPED}", "= }{")
    assert (g.verdict, g.diagnosis, g.score) == ("incorrect", "sign", 0.0)
    assert "Line 2 cannot be read" in g.feedback


def test_a_working_for_another_derivative_is_unreadable_with_the_reason(marker):
    g = mark(marker, rf"\frac{{\partial C_0}}{{\partial b^{{(L)}}}} = {RIGHT}")
    assert g.verdict == "unreadable" and "the question asks for w^{(L)}" in g.feedback


def test_an_answer_past_its_time_limit_is_unreadable(marker, monkeypatch):
    def slow(*args):
        time.sleep(5)

    monkeypatch.setattr(marking, "verify_claim", slow)
    g = mark(marker, "a^{(L)} + 17", seconds=0.2)
    assert g.verdict == "unreadable" and "longer than 0.2 s" in g.feedback


def test_a_failure_on_one_answer_is_its_row_alone(marker, monkeypatch):
    real = marking.verify_claim

    def failing(net, claim, wrt):
        if "13" in claim:
            raise TypeError("a bug")
        return real(net, claim, wrt)

    monkeypatch.setattr(marking, "verify_claim", failing)
    grades = marking.grade_batch(
        marker.question, [Submission(1, "a", "q", "a^{(L)} + 13"), Submission(2, "b", "q", RIGHT)]
    )
    assert [g.verdict for g in grades] == ["unreadable", "correct"]
    assert "The checker failed on this answer (TypeError)" in grades[0].feedback


PIECES = [*"\\&%{}[]()=+-^_ ayzw'$<>", "\\frac", "\\sigma", "a^{(L)}", "\\\\", "\ud800"]


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_text_gets_a_row_with_one_of_the_three_verdicts(marker, text):
    g = mark(marker, text)
    assert g.verdict in ("correct", "incorrect", "unreadable") and g.feedback
    assert (g.first_wrong_line is None) == (g.verdict != "incorrect")
    assert 0 <= g.score <= 4


def test_the_package_offers_grade():
    import symbackprop as sbp
    from symbackprop.api.grading import grade

    assert sbp.grade is grade and "grade" in sbp.__all__


def test_a_line_that_closes_the_comparisons_bracket_is_not_carried_forward(marker):
    """A later line written to close the bracket the comparison puts around it (``X \\right) + \\left(P \\right) -
    \\left(X``, P the line before) would make the comparison T + (X) + (P) - (X) - (P) = T, right whatever X is: it
    is not compared, and earns nothing."""
    forged = rf"{FLIPPED} \right) + \left({HALF} \right) - \left({FLIPPED}"
    g = mark(marker, f"{D} &= {RIGHT}", f"&= {HALF}", f"&= {forged}")
    assert (g.verdict, g.first_wrong_line, g.score, g.carried) == ("incorrect", 2, 0.0, False)
    assert "error carried forward" not in g.feedback
