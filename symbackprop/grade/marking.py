"""One answer marked: each line of the working checked by verify, the first wrong line found and why, the steps
after it checked against it (error carried forward), and the score the question's rubric gives.

A line is right when verify finds it equal to the derivative asked for. A step holds when a line equals the one
before it: two right lines always do, a right and a wrong one never, and two wrong ones are compared by verify
too, as one claim: the right answer T plus the later line's value minus the earlier one's is right exactly when
the two values are equal. T is the right answer as the network's own LaTeX printer writes it, used only once
verify reads it back as right. So every judgement here is verify's, on text it reads with its grammar; this
module only splits the lines and adds them up.

Scoring: a right working earns the question's points. An incorrect one earns the rubric's points for the first
wrong line's diagnosis when every step after that line holds (its error carried forward: the later lines are
right given it), and none when a later step is wrong as well. A line that cannot be read (a typo, a stray
brace) spoils only itself: the answer is unreadable, and earns none, only when no line of it can be checked; else
it is incorrect at that line with the diagnosis ``unreadable_line`` (for which a rubric may give points), the
other lines checked and named in the feedback.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from ..base.errors import SpecError
from ..base.time_guard import within
from ..model.network import Network
from ..model.partial import Partial
from ..model.printing import printers
from ..model.references import Ref
from ..syntax.errors import ClaimError
from ..syntax.tree import parse
from ..verify.claims import ClaimReport, verify_claim
from .answers import Submission
from .questions import Question
from .working import Line, lines_of

CORRECT, INCORRECT, UNREADABLE = "correct", "incorrect", "unreadable"
RESTATED = "question_restated"  # the diagnosis of a line whose value is the derivative asked for itself
ANSWER_SECONDS = 60.0  # the default time one answer may take to check
UNREADABLE_LINE = "unreadable_line"  # the diagnosis of a working whose first line not right cannot be read
_ANOTHER_DERIVATIVE = "but the question asks for"  # in why a line naming another derivative cannot be read


@dataclass(frozen=True)
class Grade:
    """One answer's grade: the table's row, with what the report counts beside it."""

    row: int
    student: str
    question: str
    verdict: str  # correct, incorrect or unreadable
    diagnosis: str  # verify's name for the first wrong line's mistake, or ""
    score: float
    first_wrong_line: int | None  # 1-based, for an incorrect answer
    feedback: str
    lines: int = 1  # how many lines the answer has
    carried: bool = False  # an earlier error carried forward through later lines that hold


@dataclass(frozen=True)
class _Checked:
    """verify's verdict on one line, in words."""

    verdict: str  # correct, incorrect or unparseable
    diagnosis: str = ""
    why: str = ""


class Marker:
    """Marks answers to one question; what it learns of lines already seen is kept, since a class writes the same
    lines many times."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.network = Network.from_spec(question.spec)
        self.text = printers(self.network.notation, self.network.layers)[0].doprint

    def mark(self, submission: Submission, seconds: float = ANSWER_SECONDS) -> Grade:
        """The grade of ``submission``; past ``seconds``, or on any failure, it is unreadable with the reason."""
        try:
            grade = within(seconds, lambda: self._mark(submission))
        except (SpecError, RecursionError, MemoryError, OverflowError) as err:
            return self._unreadable(submission, f"The answer cannot be read: {_sentence(str(err))}")
        except Exception as err:  # a bug of ours on one answer: said in its row, and the class goes on
            return self._unreadable(submission, f"The checker failed on this answer ({type(err).__name__}).")
        if grade is None:
            return self._unreadable(submission, f"Checking it took longer than {seconds:g} s, the limit per answer.")
        return grade

    def _unreadable(self, submission: Submission, feedback: str, lines: int = 1) -> Grade:
        s = submission
        return Grade(s.row, s.student, s.question, UNREADABLE, "", 0.0, None, feedback, lines)

    def _mark(self, submission: Submission) -> Grade:
        lines = lines_of(submission.answer)
        s, q, many = submission, self.question, len(lines)
        found = self._first_not_right(lines)
        if found is None:
            right = "Correct." if many == 1 else f"Correct: each of the {many} lines holds."
            return Grade(s.row, s.student, q.id, CORRECT, "", q.points, None, right, many)
        first, wrong = found
        if wrong.verdict != INCORRECT:
            return self._unreadable_line(s, lines, first, wrong)
        if many == 1:
            words = [f"The answer is wrong: {_sentence(wrong.why)}"]
        else:
            words = [f"Line {first + 1} is the first wrong line: {_sentence(wrong.why)}"]
            if first > 0:
                words.append(f"It does not follow from line {first}.")
        later = self._later_steps(lines, first)
        carried = first + 1 < many and later is None
        if carried:
            words.append(f"{_lines(first + 2, many)} correctly from it (error carried forward).")
        elif later is not None:
            words.append(later)
        score = q.points_for(wrong.diagnosis) if later is None else 0.0
        if wrong.diagnosis and score > 0:
            words.append(f"The rubric gives {_number(score)} of {_number(q.points)} points for {wrong.diagnosis}.")
        feedback = " ".join(words)
        return Grade(s.row, s.student, q.id, INCORRECT, wrong.diagnosis, score, first + 1, feedback, many, carried)

    def _unreadable_line(self, submission: Submission, lines: list[Line], first: int, unread: _Checked) -> Grade:
        """The grade of a working whose first line that is not right cannot be read: unreadable when no line of it
        can be checked (or its first line names another derivative: the working is not an answer to this
        question); else incorrect, that line its first wrong line with the diagnosis ``unreadable_line``, and the
        rubric's points for it when every line after it is right on its own (as when a typo spoils one step)."""
        s, q, many = submission, self.question, len(lines)
        said = f"{'The answer' if many == 1 else f'Line {first + 1}'} cannot be read: {_sentence(unread.why)}"
        later = [(k, self.check(lines[k].claim)) for k in range(first + 1, many)]
        checked = first > 0 or any(c.verdict in (CORRECT, INCORRECT) for _, c in later)
        if not checked or (first == 0 and _ANOTHER_DERIVATIVE in unread.why):
            return self._unreadable(s, said, many)
        words = [said]
        trouble = next(((k, c) for k, c in later if c.verdict != CORRECT), None)
        if trouble is None:
            words.append("Every other line is right." if first > 0 or many > 2 else "Line 2 is right.")
        else:
            k, c = trouble
            again = "is wrong as well" if c.verdict == INCORRECT else "cannot be read either"
            words.append(f"Line {k + 1} {again}: {_sentence(c.why)}")
        score = q.points_for(UNREADABLE_LINE) if trouble is None else 0.0
        if score > 0:
            words.append(f"The rubric gives {_number(score)} of {_number(q.points)} points for {UNREADABLE_LINE}.")
        return Grade(s.row, s.student, q.id, INCORRECT, UNREADABLE_LINE, score, first + 1, " ".join(words), many)

    def _first_not_right(self, lines: list[Line]) -> tuple[int, _Checked] | None:
        """The first line verify does not find right (0-based), with its verdict; the lines after it are left."""
        for k, line in enumerate(lines):
            checked = self.check(line.claim)
            if checked.verdict != CORRECT:
                return k, checked
        return None

    def _later_steps(self, lines: list[Line], first: int) -> str | None:
        """None when every step after the first wrong line holds, each line equal to the one before it (so each
        is wrong the same way, and no line of them needs a verdict of its own); else what the first that does
        not hold is."""
        for k in range(first + 1, len(lines)):
            same = self.same(lines[k - 1].value, lines[k].value)
            if same is None:
                problem = self.check(lines[k].claim)
                if problem.verdict not in (CORRECT, INCORRECT):
                    return f"Line {k + 1} cannot be read: {_sentence(problem.why)}"
                return f"Line {k + 1} cannot be compared with line {k}."
            if not same:
                return f"Line {k + 1} does not follow from line {k}: a second mistake."
        return None

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one Marker a question, alive as long as its worker)
    def check(self, claim: str) -> _Checked:
        """verify's verdict on one line, with the diagnosis's name and words, or why it cannot be read."""
        try:
            report = verify_claim(self.network, claim, self.question.wrt)
        except SpecError as err:  # its left-hand side names another derivative than the one asked for
            return _Checked("unparseable", why=str(err).replace("but --wrt names", _ANOTHER_DERIVATIVE))
        if report.verdict == CORRECT and self._restates(report):
            return _Checked(INCORRECT, RESTATED, "it restates the derivative asked for instead of working it out")
        if report.verdict == CORRECT:
            return _Checked(CORRECT)
        if report.verdict == INCORRECT:
            return _Checked(INCORRECT, *self._mistake(report))
        return _Checked("unparseable", why=_with_place(report))

    def _restates(self, report: ClaimReport) -> bool:
        """Whether the line's value still holds the very derivative asked for (``dC/dw = dC/dw``, or a working
        that ends where it began): true, as verify finds, but no answer. Other derivatives left standing (a
        delta times an activation, BP4's form) are answers, judged by their value."""
        if report.read_as is None or not isinstance(report.wrt, Ref):
            return False
        asked = self.network.symbol(report.wrt)
        return any(
            p.wrt == asked and isinstance(p.of, sp.Symbol) and p.of.name.startswith("C")
            for p in report.read_as.atoms(Partial)
        )

    def _mistake(self, report: ClaimReport) -> tuple[str, str]:
        m = report.diagnosis
        if m is None:
            return "", "it is not the derivative asked for, and no usual mistake explains it"
        return m.kind, m.message.format(*(self.text(s) for s in m.symbols))

    @functools.cached_property
    def truth(self) -> str | None:
        """The right answer in LaTeX, as verify reads it back as right; None where it does not."""
        report = verify_claim(self.network, "0", self.question.wrt)
        if report.answer is None:
            return None
        tex = printers(self.network.notation, self.network.layers)[1].doprint(report.answer.shown)
        return tex if verify_claim(self.network, tex, self.question.wrt).verdict == CORRECT else None

    def same(self, first: str, second: str) -> bool | None:
        """Whether two lines' values are equal (see the module's docstring); None where that cannot be told."""
        if first == second:
            return True
        if self.truth is None or not (_one_expression(first) and _one_expression(second)):
            return None
        checked = self.check(rf"{self.truth} + \left({second}\right) - \left({first}\right)")
        return None if checked.verdict not in (CORRECT, INCORRECT) else checked.verdict == CORRECT


def _one_expression(value: str) -> bool:
    """Whether a line's value reads on its own as one expression, exactly as written: only then may it stand
    inside the comparison claim of ``same``, where a value such as ``b \\right) - \\left(b`` would otherwise
    close the bracket around it and change what is compared."""
    try:
        claim = parse(value)
    except ClaimError:
        return False
    return len(claim.sides) == 1 and claim.text == value


def _with_place(report: ClaimReport) -> str:
    reason = report.error or "it cannot be read"
    return f"{reason} (at position {report.position})" if report.position is not None else reason


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _lines(first: int, last: int) -> str:
    return f"Line {first} follows" if first == last else f"Lines {first} to {last} follow"


def _number(value: float) -> str:
    """A score as a table shows it: 2, not 2.0; 0.5 as 0.5."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


_MARKERS: dict[str, Marker] = {}  # in each worker process: one Marker a question, by its fingerprint


def grade_batch(question: Question, submissions: list[Submission], seconds: float = ANSWER_SECONDS) -> list[Grade]:
    """Grades for answers to one question, in order: the unit of work a process or a Dask worker is given."""
    marker = _MARKERS.get(question.fingerprint)
    if marker is None:
        marker = _MARKERS[question.fingerprint] = Marker(question)
    return [marker.mark(s, seconds) for s in submissions]
