"""The journal of a grading run: each grade appended as it is made, one JSON object a line, flushed to disk, so
that a run killed part way is resumed by the same command, which grades only what the journal lacks.

A grade is reused only for the same student, question, answer text and question (its fingerprint: the network,
wrt, points and rubric); anything else is graded again. A line the kill cut short, or any line that is not a
grade as this module writes it (a journal edited by hand, a disk that failed), is not reused: its answer is graded
again, and the line is named in a warning, so a teacher knows why a rerun took longer.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO

from ..base.errors import SpecError
from ..base.output import shown
from .answers import Submission
from .marking import Grade
from .questions import Question

NAME = "journal.jsonl"
MAX_JOURNAL_BYTES = 1 << 30


def key(submission: Submission, question: Question) -> str:
    """What a grade was made from: a digest of the student, the question as graded and the answer's text."""
    text = json.dumps([submission.student, question.fingerprint, submission.answer], ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Found:
    """The grades a journal holds, by key, and a warning for each line that could not be used."""

    grades: dict[str, Grade]
    warnings: list[str]


def read(path: Path) -> Found:
    """The grades a journal holds, by key; nothing where there is no journal."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_JOURNAL_BYTES)
    except OSError:
        return Found({}, [])
    found: dict[str, Grade] = {}
    skipped: list[str] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            k, grade = _entry(json.loads(line))
        except (ValueError, RecursionError) as err:  # a line cut short by a kill, or not ours
            why = "not a line of JSON" if not isinstance(err, _NotAGrade) else str(err)
            skipped.append(
                f"{shown(path)}, line {number}: {why}; ignored, and its answer graded again unless another line "
                "holds its grade"
            )
            continue
        found[k] = grade
    return Found(found, skipped)


class _NotAGrade(ValueError):
    pass


_TYPES: dict[str, tuple[type, ...]] = {
    "row": (int,),
    "student": (str,),
    "question": (str,),
    "verdict": (str,),
    "diagnosis": (str,),
    "score": (int, float),
    "first_wrong_line": (int, type(None)),
    "feedback": (str,),
    "lines": (int,),
    "carried": (bool,),
}
_WORDS = {int: "a whole number", float: "a number", str: "a string", bool: "true or false", type(None): "null"}
_REQUIRED = {f.name for f in fields(Grade)} - {"lines", "carried"}


def _entry(entry: object) -> tuple[str, Grade]:
    """The key and grade of one journal line, each field of the type a grade has; else _NotAGrade saying why."""
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or not isinstance(entry.get("grade"), dict):
        raise _NotAGrade('not an object with a "key" and a "grade"')
    given = entry["grade"]
    missing = sorted(_REQUIRED - given.keys())
    if missing:
        raise _NotAGrade(f"the grade has no {missing[0]!r}")
    for name, value in given.items():
        kinds = _TYPES.get(name)
        if kinds is None:
            raise _NotAGrade(f"the grade has an unknown key {name!r}")
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            wanted = _WORDS[float] if float in kinds else " or ".join(_WORDS[k] for k in kinds)
            raise _NotAGrade(f"the grade's {name!r} is not {wanted}")
    if given["verdict"] not in ("correct", "incorrect", "unreadable"):
        raise _NotAGrade(f"the grade's verdict {given['verdict']!r} is none of correct, incorrect, unreadable")
    if not math.isfinite(given["score"]):
        raise _NotAGrade("the grade's score is not a finite number")
    return entry["key"], Grade(**{**given, "score": float(given["score"])})


class Journal:
    """Grades appended as they come, each line on disk before the next is written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None

    def __enter__(self) -> Journal:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "a", encoding="utf-8")
        except OSError as err:
            raise SpecError(f"{shown(self.path)}: cannot write the journal ({err.strerror})") from None
        if self.handle.tell() > 0:
            self.handle.write("\n")  # a line a kill cut short stays a line of its own, ignored when read
        return self

    def add(self, entries: Iterable[tuple[str, Grade]]) -> None:
        assert self.handle is not None
        for k, grade in entries:
            self.handle.write(json.dumps({"key": k, "grade": asdict(grade)}, ensure_ascii=True) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()
