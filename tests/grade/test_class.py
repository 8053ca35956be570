"""A synthetic class graded: every verdict, diagnosis, first wrong line and score as planted; the same table from
one process, a pool and a Dask cluster, byte for byte."""

from __future__ import annotations

import pytest

from symbackprop.api.grading import grade

from .class_fixtures import disagreements, make_class, write_class

CLASS = 40


@pytest.fixture(scope="module")
def planted():
    return make_class(CLASS, seed=3)


@pytest.fixture(scope="module")
def graded_in_process(planted, tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    questions, answers = write_class(folder, planted)
    result = grade(questions, answers, folder / "out", workers=1)
    return folder, result


def test_every_grade_is_the_truth_planted_in_the_answer(planted, graded_in_process):
    folder, result = graded_in_process
    assert disagreements(planted, folder / "out" / "grades.csv") == []
    workings = [p for p in planted if "\\\\" in p.answer and p.first_wrong_line is not None]
    assert workings and any(p.first_wrong_line > 1 for p in workings)  # the class has what it is meant to test
    assert any(g.carried for g in result.grades)
    assert {g.verdict for g in result.grades} == {"correct", "incorrect"}


def test_the_table_has_the_issues_columns_in_the_answers_order(planted, graded_in_process):
    folder, _ = graded_in_process
    lines = (folder / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "student,question,verdict,diagnosis,score,first_wrong_line,feedback"
    assert [line.split(",")[:2] for line in lines[1:]] == [[p.student, p.question] for p in planted]


def test_a_pool_of_processes_gives_the_same_table_byte_for_byte(planted, graded_in_process, tmp_path):
    folder, _ = graded_in_process
    grade(folder / "questions.toml", folder / "answers.csv", tmp_path, workers=2)
    for name in ("grades.csv", "grades.json", "report.html", "report.md"):
        assert (tmp_path / name).read_bytes() == (folder / "out" / name).read_bytes(), name


def test_a_local_dask_cluster_gives_the_same_table_byte_for_byte(graded_in_process, tmp_path, cmdline):
    """The same class on a LocalCluster, through the Python API and through the command's --scheduler."""
    distributed = pytest.importorskip("dask.distributed")  # a test dependency: installed by setup.sh and in CI
    folder, _ = graded_in_process
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        result = grade(folder / "questions.toml", folder / "answers.csv", tmp_path / "api", scheduler=address)
        args = [str(folder / "questions.toml"), str(folder / "answers.csv"), "--out", str(tmp_path / "cli")]
        done = cmdline.run("grade", *args, "--scheduler", address)
    assert result.reused == 0 and done.returncode == 0, done.stderr
    for name in ("grades.csv", "grades.json", "report.html", "report.md"):
        for run in ("api", "cli"):
            assert (tmp_path / run / name).read_bytes() == (folder / "out" / name).read_bytes(), (run, name)


def test_a_rerun_grades_nothing_already_in_the_journal(graded_in_process):
    folder, first = graded_in_process
    before = (folder / "out" / "grades.csv").read_bytes()
    again = grade(folder / "questions.toml", folder / "answers.csv", folder / "out", workers=1)
    assert again.reused == CLASS and again.grades == first.grades
    assert (folder / "out" / "grades.csv").read_bytes() == before


def test_an_answer_changed_since_is_graded_again(planted, tmp_path):
    few = planted[:5]
    questions, answers = write_class(tmp_path, few)
    grade(questions, answers, tmp_path / "out", workers=1)
    changed = [few[0].__class__(**{**few[0].__dict__, "answer": "0"}), *few[1:]]
    write_class(tmp_path, changed)
    again = grade(questions, answers, tmp_path / "out", workers=1)
    assert again.reused == 4 and again.grades[0].verdict == "incorrect"
