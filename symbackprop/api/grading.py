"""``grade``: a class's answers graded and the table and report written, for the Python API and the command line.

The grading is the ``grade`` stage's, the layout ``render``'s; this verb reads the two files, makes the output
folder only once both are known to be good (bad input writes nothing), checks every output path before any answer
is graded, and writes the outputs whole, all of them or none, after every answer is graded: ``grades.csv``,
``grades.json``, ``report.html``, ``report.md``, beside the journal a rerun resumes from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..base.errors import SpecError
from ..base.output import check_writable, shown, write_all_atomically
from ..grade.answers import read_answers
from ..grade.marking import ANSWER_SECONDS
from ..grade.questions import read_questions
from ..grade.run import Graded, grade_class
from ..render.grades import grades_csv, grades_json, render_grades

OUTPUTS = ("grades.csv", "grades.json", "report.html", "report.md")


def grade(
    questions: str | Path,
    answers: str | Path,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    answer_seconds: float = ANSWER_SECONDS,
    progress: Callable[[int, int], None] | None = None,
) -> Graded:
    """Grade every answer in ``answers`` (CSV or JSON Lines: student, question, answer) to the questions in
    ``questions`` (TOML); with ``out``, write the table and the report there, resuming from its journal.

    ``workers``: processes (default every core; 1 grades in this process); ``scheduler``: a Dask scheduler's
    address, to grade on that cluster instead; ``answer_seconds``: the time one answer may take to check;
    ``progress(done, total)`` is called as answers are graded.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "questions.toml").write_text('''
    ... [[question]]
    ... id = "q1"
    ... spec = "example:3b1b"
    ... wrt = "w^{(L)}"
    ... points = 2
    ... [question.rubric]
    ... factor_2_dropped = 1
    ... ''')
    >>> _ = (folder / "answers.csv").write_text('''student,question,answer
    ... ada,q1,"2(a^{(L)} - y)\\\\sigma'(z^{(L)}) a^{(L-1)}"
    ... bob,q1,"(a^{(L)} - y)\\\\sigma'(z^{(L)}) a^{(L-1)}"
    ... ''')
    >>> result = grade(folder / "questions.toml", folder / "answers.csv", folder / "out", workers=1)
    >>> [(g.student, g.verdict, g.diagnosis, g.score) for g in result.grades]
    [('ada', 'correct', '', 2.0), ('bob', 'incorrect', 'factor_2_dropped', 1.0)]
    >>> sorted(p.name for p in (folder / "out").iterdir())
    ['grades.csv', 'grades.json', 'journal.jsonl', 'report.html', 'report.md']
    """
    asked = read_questions(questions)
    given = read_answers(answers, asked)
    inputs = (Path(questions), Path(answers))
    if workers is not None and not (isinstance(workers, int) and 1 <= workers <= 1024):
        raise SpecError(f"workers: expected a whole number from 1 to 1024, got {workers!r}")
    if not (isinstance(answer_seconds, (int, float)) and 0 < answer_seconds <= 3600):
        raise SpecError(f"the time per answer must be more than 0 and at most 3600 seconds, got {answer_seconds!r}")
    folder = _folder(out, inputs) if out is not None else None
    if folder is not None and folder.is_dir():  # a bad output path found before any answer is graded
        for name in OUTPUTS:
            check_writable(folder / name, inputs)
    graded = grade_class(asked, given, folder, workers, scheduler, float(answer_seconds), progress)
    if folder is not None:
        about = [{"id": q.id, "wrt": q.wrt, "points": q.points} for q in asked.values()]
        texts = (
            grades_csv(graded.grades),
            grades_json(graded.grades),
            render_grades(graded.grades, about, "html"),
            render_grades(graded.grades, about, "md"),
        )
        outputs = [(folder / name, text.encode("utf-8")) for name, text in zip(OUTPUTS, texts, strict=True)]
        write_all_atomically(outputs, inputs)  # all four or none: never the table without its report
    return graded


def _folder(out: str | Path, inputs: tuple[Path, ...]) -> Path:
    """The output folder, checked: a folder or nothing yet (the journal makes it), never an input."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise SpecError(f"{shown(folder)}: not a directory; --out names the folder the grades go in")
    if any(folder.resolve() == p.resolve() for p in inputs):
        raise SpecError(f"{shown(folder)}: is an input file")
    return folder
