"""The answers file: one answer a row, with the columns ``student``, ``question`` and ``answer``, as CSV (a header
row naming them, in any order, other columns ignored) or JSON Lines (``.jsonl``, ``.ndjson``: one object a line
with those keys). Each answer is LaTeX: a formula, or a working of several lines separated by ``\\\\``.

A missing column, a question id the question file does not have, or a student answering one question twice is a
SpecError naming the row; so is a file that is not UTF-8 text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import SpecError, check_text, did_you_mean
from ..base.output import read_regular_file, shown

MAX_ANSWERS_BYTES = 256 << 20
COLUMNS = ("student", "question", "answer")
JSON_LINES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Submission:
    """One student's answer to one question, and where it stands in the file (the table keeps that order)."""

    row: int  # 1-based, counting answers, not the header
    student: str
    question: str
    answer: str


def read_answers(path: str | Path, questions: Collection[str]) -> list[Submission]:
    """The answers in ``path``, checked against the question ids ``questions``."""
    path = Path(path)
    try:
        text = read_regular_file(path, MAX_ANSWERS_BYTES, "answers file").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError(f"{shown(path)}: not UTF-8 text") from None
    rows = _json_lines(text, path) if path.suffix.lower() in JSON_LINES else _csv_rows(text, path)
    seen: set[tuple[str, str]] = set()
    out = []
    for number, (where, fields) in enumerate(rows, start=1):
        submission = Submission(number, *fields)
        if submission.question not in questions:
            hint = did_you_mean(submission.question, questions)
            raise SpecError(f"{where}: question {submission.question!r} is not in the question file{hint}")
        key = (submission.student, submission.question)
        if key in seen:
            raise SpecError(f"{where}: student {submission.student!r} answers {submission.question!r} a second time")
        seen.add(key)
        out.append(submission)
    if not out:
        raise SpecError(f"{shown(path)}: no answers in it")
    return out


def _csv_rows(text: str, path: Path) -> list[tuple[str, tuple[str, str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise SpecError(f"{shown(path)}: empty; the first row names the columns {','.join(COLUMNS)}")
        names = [h.strip() for h in header]
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise SpecError(
                f"{shown(path)}: no column {missing[0]!r} in the header row; the columns are {','.join(COLUMNS)}"
            )
        at = [names.index(c) for c in COLUMNS]
        rows = []
        for record in reader:
            where = f"{shown(path)}, line {reader.line_num}"
            if not any(field.strip() for field in record):
                continue
            if len(record) < len(names):
                raise SpecError(f"{where}: {len(record)} fields where the header names {len(names)}")
            rows.append((where, _fields([record[i] for i in at], where)))
    except csv.Error as err:
        raise SpecError(f"{shown(path)}, line {reader.line_num}: not CSV ({err})") from None
    return rows


def _json_lines(text: str, path: Path) -> list[tuple[str, tuple[str, str, str]]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{shown(path)}, line {number}"
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise SpecError(f"{where}: not a JSON object") from None
        if not isinstance(record, dict):
            raise SpecError(f"{where}: expected an object with the keys {', '.join(COLUMNS)}")
        missing = [c for c in COLUMNS if c not in record]
        if missing:
            raise SpecError(f"{where}: no key {missing[0]!r}; each line has {', '.join(COLUMNS)}")
        rows.append((where, _fields([record[c] for c in COLUMNS], where)))
    return rows


def _fields(values: list[object], where: str) -> tuple[str, str, str]:
    for name, value in zip(COLUMNS, values, strict=True):
        if not isinstance(value, str):
            raise SpecError(f"{where}: {name} must be text")
    student, question, answer = (str(v) for v in values)
    check_text(student, f"{where}: the student")
    check_text(question, f"{where}: the question")
    if not student.strip():
        raise SpecError(f"{where}: the student is empty")
    return student.strip(), question.strip(), answer
