"""An answer that only restates the derivative asked for (or a working that ends on it) is no answer: true, as
verify finds, but it earns no points (found by a cold review: it earned every point). BP4's form, a delta
left standing times an activation, is an answer and stays correct."""

from __future__ import annotations

import pytest

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
"""
D = r"\frac{\partial C_0}{\partial w^{(L)}}"
HALF = r"(a^{(L)} - y) \sigma'(z^{(L)}) a^{(L-1)}"


@pytest.fixture(scope="module")
def marker(tmp_path_factory):
    path = tmp_path_factory.mktemp("q") / "questions.toml"
    path.write_text(QUESTION, encoding="utf-8")
    return Marker(read_questions(path)["q"])


def mark(marker: Marker, answer: str, seconds: float = 60.0):
    return marker.mark(Submission(1, "s", "q", answer), seconds)


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (D, "question_restated"),  # the question, handed back as the answer
        (f"{D} = {D}", "question_restated"),  # a tautology
        (rf"{D} &= {HALF} \\ &= {D}", "factor_2_dropped"),  # a wrong working that ends on the question
    ],
)
def test_an_answer_that_only_restates_the_derivative_asked_for_earns_no_points(marker, answer, diagnosis):
    g = mark(marker, answer)
    assert (g.verdict, g.diagnosis, g.score) == ("incorrect", diagnosis, 0.0), g
    restated = g.feedback if diagnosis == "question_restated" else g.feedback.split("Line 3")[-1]
    assert "restates the derivative asked for" in restated or "a second mistake" in restated, g.feedback


def test_a_delta_left_standing_times_an_activation_is_an_answer(marker):
    g = mark(marker, r"\frac{\partial C_0}{\partial z^{(L)}} a^{(L-1)}")
    assert (g.verdict, g.score) == ("correct", 4.0), g
