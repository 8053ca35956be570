"""symbackprop grade end to end: the files it writes, a bad input refused in one line with nothing written, a
report that stays inert whatever the students wrote, and a killed run resumed to the same table."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from symbackprop.api.grading import grade

from ..commandline import CHECKOUT
from ..grade.class_fixtures import make_class, write_class

QUESTIONS = """
[[question]]
id = "q1"
spec = "example:3b1b"
wrt = "w^{(L)}"
points = 2
[question.rubric]
factor_2_dropped = 1
"""

HOSTILE = [
    ("<script>alert(1)</script>", "2(a^{(L)} - y)\\sigma'(z^{(L)}) a^{(L-1)}"),
    ("mallory", "<img src=x onerror=alert(1)> \\\\ </td></table><script>x</script>"),
    ('o\'neil "&amp;" | `*_', "(a^{(L)} - y)\\sigma'(z^{(L)}) a^{(L-1)}"),
    ("eve", "\\frac{\\partial C_0}{\\partial w^{(L)}} = <b>bold</b>"),
]


def class_files(folder: Path, rows: list[tuple[str, str]]) -> tuple[Path, Path]:
    questions = folder / "questions.toml"
    questions.write_text(QUESTIONS, encoding="utf-8")
    answers = folder / "answers.csv"
    quoted = ['"' + a.replace('"', '""') + '"' for _, a in rows]
    students = ['"' + s.replace('"', '""') + '"' for s, _ in rows]
    lines = [f"{s},q1,{a}" for s, a in zip(students, quoted, strict=True)]
    answers.write_text("student,question,answer\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return questions, answers


def test_grade_writes_the_table_and_the_reports(cmdline, tmp_path):
    questions, answers = class_files(tmp_path, HOSTILE)
    done = cmdline.run("grade", str(questions), str(answers), "--out", str(tmp_path / "out"), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "4 answers: 1 correct, 1 incorrect, 2 unreadable" in done.stderr
    table = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert table[0] == "student,question,verdict,diagnosis,score,first_wrong_line,feedback"
    assert table[1].startswith("<script>alert(1)</script>,q1,correct,,2,,")
    assert ",q1,incorrect,factor_2_dropped,1,1," in table[3]
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"grades.csv", "grades.json", "report.html", "report.md"}


class _Tags(HTMLParser):
    """Every start tag and attribute, and whether each element opened is closed in order."""

    VOID = frozenset({"meta", "br", "img", "link", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.started: list[tuple[str, list]] = []
        self.open: list[str] = []
        self.mismatched: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.started.append((tag, attrs))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.mismatched.append(tag)


def test_the_html_report_is_self_contained_and_nothing_a_student_wrote_is_markup(tmp_path):
    questions, answers = class_files(tmp_path, HOSTILE)
    grade(questions, answers, tmp_path / "out", workers=1)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    tags = _Tags()
    tags.feed(page)
    tags.close()
    assert tags.mismatched == [] and tags.open == []
    names = {tag for tag, _ in tags.started}
    allowed = {"html", "head", "meta", "title", "link", "style", "body", "h1", "h2", "h3", "p", "section", "table"}
    allowed |= {"thead", "tbody", "tr", "th", "td", "code"}
    assert names <= allowed
    attributes = [(name, value) for _, attrs in tags.started for name, value in attrs]
    assert all(name in ("charset", "name", "content", "lang", "class", "rel", "href") for name, _ in attributes)
    assert [value for name, value in attributes if name == "href"] == ["data:,"]  # nothing fetched from elsewhere
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "o&#39;neil &#34;&amp;amp;&#34;" in page
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "<script" not in markdown and "<img" not in markdown and "\\|" in markdown


@pytest.mark.parametrize(
    ("questions", "answers", "words"),
    [
        (QUESTIONS.replace("example:3b1b", "example:nosuch"), None, "no built-in example 'nosuch'"),
        (QUESTIONS.replace("factor_2_dropped", "factor_too_dropped"), None, "'factor_too_dropped' is no diagnosis"),
        (None, "student,answer\nada,x\n", "no column 'question'"),
        (None, "student,question,answer\nada,q9,x\n", "question 'q9' is not in the question file"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(cmdline, tmp_path, questions, answers, words):
    q, a = class_files(tmp_path, HOSTILE[:1])
    if questions is not None:
        q.write_text(questions, encoding="utf-8")
    if answers is not None:
        a.write_text(answers, encoding="utf-8")
    done = cmdline.run("grade", str(q), str(a), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and words in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("symbackprop grade: error: ")
    assert not (tmp_path / "out").exists()


def test_a_killed_run_resumed_grades_only_what_was_left_and_ends_with_the_same_table(tmp_path):
    planted = make_class(30, seed=5)
    questions, answers = write_class(tmp_path, planted)
    grade(questions, answers, tmp_path / "whole", workers=1)
    out = tmp_path / "resumed"
    command = [sys.executable, "-m", "symbackprop", "grade", str(questions), str(answers), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    run = subprocess.Popen([*command, "--workers", "1"], env=env, stderr=subprocess.DEVNULL, start_new_session=True)
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        if journal.exists() and journal.read_text().count("\n") >= 8:
            break
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before it could be killed"
    os.killpg(run.pid, signal.SIGKILL)  # every process of the run at once: none of them cleans up
    run.wait()
    time.sleep(0.2)
    assert not (out / "grades.csv").exists()  # no table until every answer is graded
    kept = sum(_is_json(line) for line in journal.read_text().splitlines())
    again = subprocess.run([*command, "--workers", "2"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"({kept} already graded, from the journal)" in again.stderr and 8 <= kept < len(planted)
    for name in ("grades.csv", "grades.json", "report.html", "report.md"):
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def test_a_terminal_sees_the_answers_counted_and_a_pipe_only_the_summary(tmp_path):
    from ..base.test_progress import run, stages_shown

    questions, answers = class_files(tmp_path, HOSTILE)
    args = ["grade", str(questions), str(answers), "--out"]
    status, _, terminal = run([*args, str(tmp_path / "t"), "--workers", "2"], tmp_path, terminal=True)
    piped, _, err = run([*args, str(tmp_path / "p"), "--workers", "2"], tmp_path, terminal=False)
    assert status == piped == 0
    shown = stages_shown(terminal, "grade")
    assert "grading: 0 of 4 answers" in shown and "grading: 4 of 4 answers" in shown, shown
    assert not any(s.startswith(("deciding", "reading the claim")) for s in shown), shown  # the workers stay quiet
    assert err.decode().count("\n") == 1 and err.startswith(b"symbackprop grade: 4 answers")


def test_a_scheduler_that_cannot_be_reached_is_one_line_and_nothing_written(cmdline, tmp_path):
    pytest.importorskip("dask.distributed")  # a test dependency: installed by setup.sh and in CI
    q, a = class_files(tmp_path, HOSTILE[:1])
    done = cmdline.run("grade", str(q), str(a), "--out", str(tmp_path / "out"), "--scheduler", "nowhere://x")
    assert done.returncode == 2 and "cannot reach the Dask scheduler at 'nowhere://x'" in done.stderr
    assert not (tmp_path / "out").exists()


def test_help_shows_the_issues_form(cmdline):
    done = cmdline.run("grade", "--help")
    assert done.returncode == 0 and "symbackprop grade questions.toml answers.csv --out grades/" in done.stdout


def test_the_docs_table_is_what_the_example_class_gets(cmdline, tmp_path):
    """docs/commands/grade.md shows the shipped example class's table: it stays what grade writes."""
    folder = CHECKOUT / "templates" / "examples" / "class"
    done = cmdline.run("grade", str(folder / "questions.toml"), str(folder / "answers.csv"), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    docs = (CHECKOUT / "docs" / "commands" / "grade.md").read_text(encoding="utf-8")
    assert (tmp_path / "grades.csv").read_text(encoding="utf-8") in docs
