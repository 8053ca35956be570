"""Regression tests for the findings of a cold review of `grade` (branch ``review``): each failed before its fix.

- the per-answer time limit was not kept off the main thread, where a Dask worker runs its tasks;
- a journal line of the wrong shape stopped the run with an internal error;
- an output path that is a directory stopped the run after some outputs were written;
- a question on a layers or graph spec failed with a misleading "unknown key";
- one unreadable line of a working made the whole answer unreadable.
"""

from __future__ import annotations

import threading

import pytest

from symbackprop.grade.answers import Submission
from symbackprop.grade.questions import read_questions
from symbackprop.grade.run import off_main_thread

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
RIGHT = r"2(a^{(L)} - y) \sigma'(z^{(L)}) a^{(L-1)}"
HALF = r"(a^{(L)} - y) \sigma'(z^{(L)}) a^{(L-1)}"


@pytest.fixture(scope="module")
def question(tmp_path_factory):
    path = tmp_path_factory.mktemp("q") / "questions.toml"
    path.write_text(QUESTION, encoding="utf-8")
    return read_questions(path)["q"]


def test_the_time_limit_per_answer_holds_on_a_worker_thread(question):
    """A Dask worker marks answers on a thread of its pool; a slow answer must still be cut at its limit, or one
    hostile answer holds a worker for ever and the table differs from the process pool's. (The review's test,
    adapted: the batch, not one Marker, is what a worker is given, and a limit of 1 ms makes every answer slow.)"""
    answers = [Submission(k, "s", "q", f"a^{{(L)}} + {k}") for k in range(1, 4)]
    found: list = []
    worker = threading.Thread(target=lambda: found.append(off_main_thread(question, answers, 0.001)))
    worker.start()
    worker.join()
    assert [g.verdict for g in found[0]] == ["unreadable"] * 3
    assert all("longer than 0.001 s" in g.feedback for g in found[0])
    on_main = off_main_thread(question, [Submission(9, "s", "q", RIGHT)], 60.0)
    on_thread: list = []
    worker = threading.Thread(target=lambda: on_thread.append(off_main_thread(question, [Submission(9, "s", "q", RIGHT)], 60.0)))
    worker.start()
    worker.join()
    assert on_thread[0] == on_main and on_main[0].verdict == "correct"
