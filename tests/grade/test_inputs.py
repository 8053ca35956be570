"""The question file and the answers file: read as the issue gives them, and every mistake in them a one-line
error naming it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from symbackprop.base.errors import SpecError
from symbackprop.grade.answers import read_answers
from symbackprop.grade.diagnoses import KNOWN
from symbackprop.grade.questions import read_questions

QUESTION = """
[[question]]
id = "q1"
spec = "example:deeplizard"    # a built-in example or a spec file's path, relative to this file
wrt = "w_{12}^{(L)}"
points = 2
[question.rubric]              # points for an incorrect answer with this diagnosis
factor_2_dropped = 1
"""


def questions_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questions.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issues_form_reads(tmp_path):
    (q,) = read_questions(questions_file(tmp_path, QUESTION)).values()
    assert (q.id, q.wrt, q.points, q.rubric) == ("q1", "w_{12}^{(L)}", 2.0, (("factor_2_dropped", 1.0),))
    assert q.spec.layers == (2, 3, 6, 4)
    assert q.points_for("factor_2_dropped") == 1.0 and q.points_for("sign") == 0.0


def test_a_spec_path_is_relative_to_the_question_file(tmp_path):
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "tiny.toml").write_text('layers = [2, 2]\nactivation = "tanh"\n', encoding="utf-8")
    text = QUESTION.replace("example:deeplizard", "nets/tiny.toml").replace("w_{12}^{(L)}", "w_{10}^{(L)}")
    (q,) = read_questions(questions_file(tmp_path, text)).values()
    assert q.spec.layers == (2, 2) and q.spec.activations == ("tanh",)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("example:deeplizard", "example:nosuch"), "question 'q1': spec: no built-in example 'nosuch'"),
        (("example:deeplizard", "missing.toml"), "question 'q1': spec: .*missing.toml: no such file"),
        (("factor_2_dropped", "factor_two_dropped"), "'factor_two_dropped' is no diagnosis verify gives; did you mean"),
        (("factor_2_dropped", '"wrong_layer+nonsense"'), "'nonsense' is no diagnosis verify gives"),
        (("factor_2_dropped = 1", "factor_2_dropped = 3"), "3 points is more than the question's 2"),
        (("w_{12}^{(L)}", "w_{19}^{(L)}"), "question 'q1': wrt: "),
        (("points = 2", "points = -1"), "points: expected a number of points from 0"),
        (('id = "q1"', 'id = "q1"\ncolour = "red"'), "question 1: unknown key 'colour'"),
        (('wrt = "w_{12}^{(L)}"', ""), "question 1: wrt is missing"),
        (("[[question]]", "[[questions]]"), "unknown key 'questions'"),
    ],
)
def test_a_bad_question_file_is_one_line_naming_the_problem(tmp_path, change, words):
    text = QUESTION.replace(*change)
    with pytest.raises(SpecError, match=words) as caught:
        read_questions(questions_file(tmp_path, text))
    assert "\n" not in str(caught.value)


def test_a_question_given_twice_is_refused(tmp_path):
    with pytest.raises(SpecError, match="question id 'q1' is given twice"):
        read_questions(questions_file(tmp_path, QUESTION + QUESTION))


def test_the_rubric_knows_every_diagnosis_verify_gives():
    """The names a rubric may use are verify's own: each name verify's sources give a Mistake is known here (a
    new diagnosis in verify fails this test until it is added to grade/diagnoses.py)."""
    sources = "".join(p.read_text() for p in Path("symbackprop/verify").glob("*.py"))
    named = set(re.findall(r'(?i)mistake\(\s*"([a-z_0-9]+)"', sources))  # Mistake("name", ...) or mistake(
    named |= set(re.findall(r'"([a-z_0-9]+)" if local else "([a-z_0-9]+)"', sources)[0])
    named |= set(re.findall(r'kind = report\.diagnosis, "([a-z_0-9]+)"', sources))
    assert named and named <= set(KNOWN), sorted(named - set(KNOWN))


CSV = 'student,question,answer\nada,q1,2(a - y)\nbob,q1,"a \\\\ b, c"\n'


def test_answers_read_from_csv_in_any_column_order_and_from_json_lines(tmp_path):
    (tmp_path / "a.csv").write_text('answer,student,question,extra\n"x, y",ada,q1,z\n', encoding="utf-8")
    (one,) = read_answers(tmp_path / "a.csv", {"q1"})
    assert (one.student, one.question, one.answer, one.row) == ("ada", "q1", "x, y", 1)
    lines = [json.dumps({"student": s, "question": "q1", "answer": "a \\\\ b"}) for s in ("ada", "bob")]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [s.student for s in read_answers(tmp_path / "a.jsonl", {"q1"})] == ["ada", "bob"]


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("a.csv", "student,answer\nada,x\n", "no column 'question' in the header row"),
        ("a.csv", CSV.replace("bob,q1", "bob,q7"), "line 3: question 'q7' is not in the question file"),
        ("a.csv", CSV.replace("bob,q1", "ada,q1"), "student 'ada' answers 'q1' a second time"),
        ("a.csv", "student,question,answer\n", "no answers in it"),
        ("a.jsonl", '{"student": "ada", "answer": "x"}\n', "line 1: no key 'question'"),
        ("a.jsonl", '{"student": "ada", "question": "q1", "answer": 3}\n', "answer must be text"),
        ("a.jsonl", "[1, 2]\n", "expected an object"),
    ],
)
def test_a_bad_answers_file_is_one_line_naming_the_row(tmp_path, name, text, words):
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=words):
        read_answers(tmp_path / name, {"q1"})
