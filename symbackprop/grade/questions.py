"""The question file: for each question its id, the network (a built-in example or a spec file beside the
question file), the derivative asked for, its points, and the points an incorrect answer earns per diagnosis.

    [[question]]
    id = "q1"
    spec = "example:deeplizard"
    wrt = "w_{12}^{(L)}"
    points = 2
    [question.rubric]
    factor_2_dropped = 1

Everything is checked here, once, before any answer is graded: an unknown key, a spec that does not load, a
``wrt`` the network lacks, a rubric name verify never gives or points above the question's are a SpecError
naming the question.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import SpecError, toml_problem
from ..base.output import read_regular_file, shown
from ..model import graph_spec
from ..model import spec as specs
from ..model.layers.stack import is_layered
from ..model.network import Network
from ..model.spec import NetworkSpec
from .diagnoses import check_name

MAX_QUESTIONS_BYTES = 1 << 20
MAX_QUESTIONS = 1000
_KEYS = {"id", "spec", "wrt", "points", "rubric"}
_DENSE_ONLY = (
    "grade questions need a dense network's spec (layers = [...], as example:3b1b); this kind is not gradable yet"
)


@dataclass(frozen=True, eq=False)
class Question:
    """One question, checked: its network's spec travels with it to the process or machine that grades it."""

    id: str
    spec: NetworkSpec
    source: str  # the spec as the question file names it (example:NAME or a path)
    wrt: str
    points: float
    rubric: tuple[tuple[str, float], ...]  # diagnosis -> points, in the order written
    fingerprint: str  # what a graded answer to it was graded against: a rerun regrades when it changes

    def points_for(self, diagnosis: str) -> float:
        """The points an incorrect answer with ``diagnosis`` earns: the rubric's, else none."""
        return dict(self.rubric).get(diagnosis, 0.0)


def read_questions(path: str | Path) -> dict[str, Question]:
    """The questions of a question file, by id, in the order written."""
    path = Path(path)
    try:
        text = read_regular_file(path, MAX_QUESTIONS_BYTES, "question file").decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{shown(path)}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{shown(path)}: {toml_problem(err)}") from None
    entries = data.get("question")
    extra = sorted(set(data) - {"question"})
    if extra:
        raise SpecError(f"{shown(path)}: unknown key {extra[0]!r}; the file is a list of [[question]] tables")
    if not isinstance(entries, list) or not entries:
        raise SpecError(f"{shown(path)}: no [[question]] table; each question is one, with id, spec, wrt, points")
    if len(entries) > MAX_QUESTIONS:
        raise SpecError(f"{shown(path)}: {len(entries)} questions; at most {MAX_QUESTIONS} are read")
    questions: dict[str, Question] = {}
    for number, entry in enumerate(entries, start=1):
        question = _question(entry, number, path.parent)
        if question.id in questions:
            raise SpecError(f"{shown(path)}: question id {question.id!r} is given twice")
        questions[question.id] = question
    return questions


def _question(entry: Any, number: int, folder: Path) -> Question:
    where = f"question {number}"
    if not isinstance(entry, dict):
        raise SpecError(f"{where}: expected a [[question]] table")
    extra = sorted(set(entry) - _KEYS)
    if extra:
        raise SpecError(f"{where}: unknown key {extra[0]!r}; a question has {', '.join(sorted(_KEYS))}")
    for key in ("id", "spec", "wrt", "points"):
        if key not in entry:
            raise SpecError(f"{where}: {key} is missing")
    ident, source, wrt = (_text(entry[k], f"{where}: {k}") for k in ("id", "spec", "wrt"))
    where = f"question {ident!r}"
    points = _points(entry["points"], f"{where}: points", math.inf)
    spec, described = _spec(source, folder, where)
    if spec.skips or spec.ties:
        raise SpecError(f"{where}: spec: {source!r} has skip connections or tied weights; {_DENSE_ONLY}")
    try:
        Network.from_spec(spec).ref(wrt)
    except SpecError as err:
        raise SpecError(f"{where}: wrt: {err}") from None
    rubric = entry.get("rubric", {})
    if not isinstance(rubric, dict):
        raise SpecError(f"{where}: rubric: expected a table of diagnosis = points")
    given = tuple(
        (check_name(name, f"{where}: rubric"), _points(value, f"{where}: rubric: {name}", points))
        for name, value in rubric.items()
    )
    digest = json.dumps([ident, described, wrt, points, given], ensure_ascii=True)
    return Question(ident, spec, source, wrt, points, given, hashlib.sha256(digest.encode("ascii")).hexdigest()[:16])


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 500:
        raise SpecError(f"{where}: expected a text of 1 to 500 characters")
    return value.strip()


def _points(value: Any, where: str, most: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise SpecError(f"{where}: expected a number of points from 0, got {value!r}")
    if value > most:
        raise SpecError(f"{where}: {value:g} points is more than the question's {most:g}")
    return float(value)


def _spec(source: str, folder: Path, where: str) -> tuple[NetworkSpec, str]:
    """The spec a question names (example:NAME, or a file whose path is relative to the question file), and its
    content as text, for the fingerprint: a spec file edited between two runs regrades its answers."""
    path: str | Path = source if source.startswith("example:") else folder / source
    try:
        _, data = specs.read_toml(path)
        _dense(data, source)
        spec = specs.from_toml(path)
    except SpecError as err:
        raise SpecError(f"{where}: spec: {err}") from None
    return spec, json.dumps(data, sort_keys=True, default=str, ensure_ascii=True)


def _dense(data: dict[str, Any], source: str) -> None:
    """Nothing for a dense network's spec; a plain SpecError for the specs ``grade`` cannot yet mark: a graph, or a
    stack of [[layer]] tables (a question's answer is checked by verify, which reads a dense network's notation)."""
    kind = "a [graph] spec" if graph_spec.is_graph(data) else "a spec of [[layer]] tables" if is_layered(data) else ""
    if kind:
        raise SpecError(f"{source!r} is {kind}; {_DENSE_ONLY}")
