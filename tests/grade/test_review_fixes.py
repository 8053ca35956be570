"""Regression tests for the findings of a cold review of `grade` (branch ``review``): each failed before its fix.

- the per-answer time limit was not kept off the main thread, where a Dask worker runs its tasks;
- a journal line of the wrong shape stopped the run with an internal error;
- an output path that is a directory stopped the run after some outputs were written;
- a question on a layers or graph spec failed with a misleading "unknown key";
- one unreadable line of a working made the whole answer unreadable.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from pathlib import Path

import pytest

from symbackprop.api.grading import grade
from symbackprop.base import output
from symbackprop.base.errors import SpecError
from symbackprop.base.time_guard import within
from symbackprop.grade.answers import Submission
from symbackprop.grade.marking import Marker
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
unreadable_line = 1
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
    worker = threading.Thread(
        target=lambda: on_thread.append(off_main_thread(question, [Submission(9, "s", "q", RIGHT)], 60.0))
    )
    worker.start()
    worker.join()
    assert on_thread[0] == on_main and on_main[0].verdict == "correct"


def small_class(folder: Path) -> tuple[Path, Path]:
    questions = folder / "questions.toml"
    questions.write_text(QUESTION, encoding="utf-8")
    answers = folder / "answers.csv"
    rows = [f'ada,q,"{RIGHT}"', f'bob,q,"{HALF}"', f'cy,q,"{D} = {RIGHT} \\\\ = 3 + \\alpha"']
    answers.write_text("student,question,answer\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return questions, answers


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda e: e["grade"].update(score=[1]), "'score' is not a number"),
        (lambda e: e["grade"].pop("verdict"), "no 'verdict'"),
        (lambda e: e.pop("key"), 'not an object with a "key"'),
        (lambda e: e["grade"].update(first_wrong_line="2"), "'first_wrong_line'"),
        (lambda e: e["grade"].update(verdict="great"), "verdict 'great'"),
        (None, "not a line of JSON"),
    ],
)
def test_a_journal_line_that_is_no_grade_is_graded_again_and_named_in_a_warning(tmp_path, cmdline, edit, why):
    questions, answers = small_class(tmp_path)
    first = grade(questions, answers, tmp_path / "out", workers=1)
    table = (tmp_path / "out" / "grades.csv").read_bytes()
    journal = tmp_path / "out" / "journal.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    if edit is None:
        lines[1] = lines[1][: len(lines[1]) // 2]
    else:
        entry = json.loads(lines[1])
        edit(entry)
        lines[1] = json.dumps(entry)
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = cmdline.run("grade", str(questions), str(answers), "--out", str(tmp_path / "out"), "--workers", "1")
    assert done.returncode == 0, done.stderr
    warning = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warning) == 1 and "journal.jsonl, line 2" in warning[0] and why in warning[0], done.stderr
    assert "(2 already graded, from the journal)" in done.stderr
    assert (tmp_path / "out" / "grades.csv").read_bytes() == table
    again = grade(questions, answers, tmp_path / "out", workers=1)
    assert again.grades == first.grades and again.reused == 3 and len(again.warnings) == 1


def test_an_expiry_swallowed_by_the_work_comes_again():
    """The limit is an exception raised wherever the work is: in a gc callback or a __del__ it is printed and
    dropped (seen in a Dask worker's child, through Dask's gc callback), so the alarm repeats until disarmed."""

    def swallowing() -> str:
        with contextlib.suppress(BaseException):  # what a gc callback does to it
            time.sleep(2)
        time.sleep(2)
        return "late"

    began = time.monotonic()
    assert within(0.1, swallowing) is None
    assert time.monotonic() - began < 1


@pytest.mark.parametrize("name", ["grades.csv", "grades.json", "report.html", "report.md"])
def test_an_output_path_that_is_a_directory_stops_the_run_before_anything_is_written(tmp_path, cmdline, name):
    questions, answers = small_class(tmp_path)
    (tmp_path / "out" / name).mkdir(parents=True)
    done = cmdline.run("grade", str(questions), str(answers), "--out", str(tmp_path / "out"), "--workers", "1")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert f"{name}: is a directory" in done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [name]  # no table, no journal: nothing graded


def test_the_outputs_are_written_all_or_none(tmp_path, monkeypatch):
    """A failure while writing the third output (a full disk) leaves none of the four new, and nothing behind."""
    questions, answers = small_class(tmp_path)
    real = output._fill
    calls: list[int] = []

    def failing(handle, data, mode):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(handle, data, mode)

    monkeypatch.setattr(output, "_fill", failing)
    with pytest.raises(SpecError, match=r"report\.html: cannot write it \(No space left on device\)"):
        grade(questions, answers, tmp_path / "out", workers=1)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["journal.jsonl"]


@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("neuron", "is a [graph] spec"),
        ("micrograd", "is a [graph] spec"),
        ("small-cnn", "is a spec of [[layer]] tables"),
        ("residual", "has skip connections or tied weights"),
        ("tied", "has skip connections or tied weights"),
    ],
)
def test_a_question_on_a_spec_grade_cannot_mark_says_so_plainly(tmp_path, cmdline, example, kind):
    questions, answers = small_class(tmp_path)
    questions.write_text(QUESTION.replace("example:3b1b", f"example:{example}"), encoding="utf-8")
    done = cmdline.run("grade", str(questions), str(answers), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert f"question 'q': spec: 'example:{example}' {kind}; grade questions need a dense network's spec" in done.stderr
    assert "unknown key" not in done.stderr and not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def marker(question):
    return Marker(question)


def working(marker: Marker, *lines: str):
    return marker.mark(Submission(1, "s", "q", r" \\ ".join(lines)), 60.0)


EXPANDED = r"2 a^{(L)} \sigma'(z^{(L)}) a^{(L-1)} - 2 y \sigma'(z^{(L)}) a^{(L-1)}"


def test_one_unreadable_line_among_right_ones_is_named_and_the_rest_checked(marker):
    g = working(marker, f"{D} = {RIGHT}", "= 2(a^{(L)} - y}", f"= {EXPANDED}")
    assert (g.verdict, g.diagnosis, g.first_wrong_line, g.score) == ("incorrect", "unreadable_line", 2, 1.0)
    assert g.feedback.startswith("Line 2 cannot be read:") and "Every other line is right." in g.feedback
    assert "The rubric gives 1 of 4 points for unreadable_line." in g.feedback


def test_an_unreadable_first_line_before_right_ones_is_the_first_wrong_line(marker):
    g = working(marker, f"{D} = 2(a^{{(L)}} - y}}", f"= {RIGHT}")
    assert (g.verdict, g.diagnosis, g.first_wrong_line, g.score) == ("incorrect", "unreadable_line", 1, 1.0)
    assert "Line 2 is right." in g.feedback


def test_a_wrong_line_after_an_unreadable_one_earns_nothing_and_is_named(marker):
    g = working(marker, f"{D} = {RIGHT}", "= }{", f"= {HALF}")
    assert (g.verdict, g.diagnosis, g.first_wrong_line, g.score) == ("incorrect", "unreadable_line", 2, 0.0)
    assert "Line 3 is wrong as well:" in g.feedback


@pytest.mark.parametrize(
    "lines",
    [
        ("}{", "= {{"),  # no line can be checked
        ("2(a - y}",),  # one line, unreadable
        (rf"\frac{{\partial C_0}}{{\partial b^{{(L)}}}} = {RIGHT}", f"= {RIGHT}"),  # a working for another derivative
    ],
)
def test_an_answer_stays_unreadable_when_no_line_of_it_can_be_checked(marker, lines):
    g = working(marker, *lines)
    assert (g.verdict, g.diagnosis, g.first_wrong_line, g.score) == ("unreadable", "", None, 0.0)
