"""The journal of a grading run: each grade appended as it is made, one JSON object a line, flushed to disk, so
that a run killed part way is resumed by the same command, which grades only what the journal lacks.

A grade is reused only for the same student, question, answer text and question (its fingerprint: the network,
wrt, points and rubric); anything else is graded again. A line the kill cut short is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict
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


def read(path: Path) -> dict[str, Grade]:
    """The grades a journal holds, by key; an empty mapping where there is no journal."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_JOURNAL_BYTES)
    except (FileNotFoundError, IsADirectoryError):
        return {}
    except OSError:
        return {}
    found: dict[str, Grade] = {}
    for line in data.split(b"\n"):
        try:
            entry = json.loads(line)
            found[entry["key"]] = Grade(**entry["grade"])
        except (ValueError, TypeError, KeyError, RecursionError):
            continue  # a line cut short by a kill, or not ours
    return found


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
