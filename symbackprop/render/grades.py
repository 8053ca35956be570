"""A class's grades laid out: the table as CSV and JSON (the same rows, the same columns), and the report, as
HTML and Markdown, of each question's answers, its most common mistakes and every row.

Everything a student wrote, and the feedback that may quote it, is escaped once for the format it goes into: in
the Markdown report here, before the template sees it (HTML's ``<>&"'`` and Markdown's punctuation), in the web
page by its template, which escapes every value it prints (``*.html.j2`` templates are autoescaped).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from ..base.stages import stage
from ..grade.marking import CORRECT, INCORRECT, UNREADABLE, Grade
from .environment import render_template

COLUMNS = ("student", "question", "verdict", "diagnosis", "score", "first_wrong_line", "feedback")
MOST_COMMON = 5  # mistakes listed per question
NO_DIAGNOSIS = "no known mistake"


def score_number(value: float) -> int | float:
    """A score as the table writes it: 2, not 2.0."""
    return int(value) if float(value).is_integer() else float(value)


def rows(grades: Sequence[Grade]) -> list[dict[str, Any]]:
    """The table's rows: the columns ``COLUMNS``, in order."""
    return [
        {
            "student": g.student,
            "question": g.question,
            "verdict": g.verdict,
            "diagnosis": g.diagnosis,
            "score": score_number(g.score),
            "first_wrong_line": g.first_wrong_line,
            "feedback": g.feedback,
        }
        for g in grades
    ]


def grades_csv(grades: Sequence[Grade]) -> str:
    """The table as CSV: a header row, then one row an answer; first_wrong_line empty where there is none."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(grades):
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    return out.getvalue()


def grades_json(grades: Sequence[Grade]) -> str:
    """The table as JSON: a list of the same rows (first_wrong_line null where there is none)."""
    return json.dumps(rows(grades), indent=2, ensure_ascii=False) + "\n"


def render_grades(grades: Sequence[Grade], questions: Sequence[dict[str, Any]], fmt: str = "html") -> str:
    """The report as ``html`` (one self-contained page) or ``md``. ``questions``: each question's id, wrt and
    points, in the question file's order."""
    stage("rendering the report")
    escape = _as_is if fmt == "html" else _markdown  # a web page's template escapes every value it prints
    return render_template(f"grades.{fmt}.j2", report_context(grades, questions, escape))


def report_context(
    grades: Sequence[Grade], questions: Sequence[dict[str, Any]], escape: Callable[[str], str]
) -> dict[str, Any]:
    """What the report shows, every text a student could have written already escaped by ``escape``."""
    sections = [_question(q, [g for g in grades if g.question == q["id"]], escape) for q in questions]
    return {
        "answers": len(grades),
        "students": len({g.student for g in grades}),
        "counts": _counts(grades),
        "questions": [s for s in sections if s["answers"]],
        "rows": [
            {
                "student": escape(g.student),
                "question": escape(g.question),
                "verdict": g.verdict,
                "diagnosis": escape(g.diagnosis),
                "score": _shown(g.score),
                "first_wrong_line": "" if g.first_wrong_line is None else str(g.first_wrong_line),
                "feedback": escape(g.feedback),
            }
            for g in grades
        ],
    }


def _question(q: dict[str, Any], grades: list[Grade], escape: Callable[[str], str]) -> dict[str, Any]:
    wrong = [g for g in grades if g.verdict == INCORRECT]
    mistakes = Counter(g.diagnosis or NO_DIAGNOSIS for g in wrong)
    common = sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))[:MOST_COMMON]
    mean = sum(g.score for g in grades) / len(grades) if grades else 0.0
    return {
        "id": escape(str(q["id"])),
        "wrt": escape(str(q["wrt"])),
        "points": _shown(q["points"]),
        "answers": len(grades),
        "counts": _counts(grades),
        "mean_score": f"{mean:.2f}",
        "carried": sum(g.carried for g in grades),
        "workings": sum(g.lines > 1 for g in grades),
        "mistakes": [
            {
                "diagnosis": escape(name),
                "count": count,
                "share": f"{100 * count / len(wrong):.0f}%",
                "example": escape(next(g.feedback for g in wrong if (g.diagnosis or NO_DIAGNOSIS) == name)),
            }
            for name, count in common
        ],
    }


def _counts(grades: Sequence[Grade]) -> dict[str, int]:
    return {v: sum(g.verdict == v for g in grades) for v in (CORRECT, INCORRECT, UNREADABLE)}


def _shown(value: float) -> str:
    return str(score_number(value))


def _as_is(text: str) -> str:
    return text


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|$])")


def _markdown(text: str) -> str:
    """Text as a Markdown table cell shows it, as written: HTML's characters as entities, Markdown's escaped, one
    line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=True))
