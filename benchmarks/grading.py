"""A synthetic class graded: 500 answers over 5 questions, right in random forms or with a typical mistake
planted, some as workings of several lines, checked against the truth planted in them, and timed.

    python3 benchmarks/grading.py                    # 500 answers on every core, with the command line
    python3 benchmarks/grading.py --answers 100 --workers 2

Each answer is made from its question's right answer: its factors in a random order, with or without
``\\cdot``, the difference (a - y) kept or multiplied out, a leading derivative or none. A planted mistake is one
of those the question lists (the factor 2 dropped or doubled, the sign flipped, the activation's derivative
left out, the activation of the wrong layer), with the name ``verify --json`` gives it. A working is 2 to 4
lines in an ``align`` environment: right lines, then (for a wrong one) the mistake at a random line, then the
same wrong value rewritten (its error carried forward) or a second mistake. The truth of each answer (verdict,
diagnosis, first wrong line, score) is known before it is graded; the run counts every disagreement.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUESTIONS = """\
[[question]]
id = "q1"
spec = "example:deeplizard"
wrt = "w_{12}^{(L)}"
points = 2
[question.rubric]
factor_2_dropped = 1
sign = 1

[[question]]
id = "q2"
spec = "example:3b1b"
wrt = "w^{(L)}"
points = 2
[question.rubric]
factor_2_dropped = 1.5
activation_derivative_missing = 0.5

[[question]]
id = "q3"
spec = "example:3b1b"
wrt = "b^{(L)}"
points = 1
[question.rubric]
factor_2_dropped = 0.5

[[question]]
id = "q4"
spec = "example:deeplizard"
wrt = "a_2^{(L-1)}"
points = 3
[question.rubric]
factor_2_dropped = 2
sign = 1

[[question]]
id = "q5"
spec = "example:3b1b"
wrt = "w^{(L-1)}"
points = 4
[question.rubric]
factor_2_dropped = 3
wrong_layer = 1
"""


@dataclass(frozen=True)
class Question:
    """A right answer as its parts: the constant, the difference's two terms, the other factors, and a sum."""

    id: str
    wrt: str
    a: str
    y: str
    primes: tuple[str, ...]
    others: tuple[str, ...]
    mistakes: dict[str, float]  # planted diagnosis -> points the rubric gives (0 where it gives none)
    points: float
    wrong_input: tuple[str, str] | None = None  # (right input, the wrong layer's) for wrong_layer
    sum_over: str = ""  # \sum_{j=0}^{3} for a sum over the next layer


Q = [
    Question(
        "q1", "w_{12}^{(L)}", "a_1^{(L)}", "y_1", ("g'^{(L)}(z_1^{(L)})",), ("a_2^{(L-1)}",),
        {"factor_2_dropped": 1, "sign": 1, "activation_derivative_missing": 0, "factor_2_added": 0,
         "wrong_layer": 0}, 2, ("a_2^{(L-1)}", "a_2^{(L)}"),
    ),
    Question(
        "q2", "w^{(L)}", "a^{(L)}", "y", ("\\sigma'(z^{(L)})",), ("a^{(L-1)}",),
        {"factor_2_dropped": 1.5, "activation_derivative_missing": 0.5, "sign": 0, "wrong_layer": 0}, 2,
        ("a^{(L-1)}", "a^{(L)}"),
    ),
    Question(
        "q3", "b^{(L)}", "a^{(L)}", "y", ("\\sigma'(z^{(L)})",), (),
        {"factor_2_dropped": 0.5, "sign": 0, "activation_derivative_missing": 0, "factor_2_added": 0}, 1,
    ),
    Question(
        "q4", "a_2^{(L-1)}", "a_j^{(L)}", "y_j", ("g'^{(L)}(z_j^{(L)})",), ("w_{j2}^{(L)}",),
        {"factor_2_dropped": 2, "sign": 1, "activation_derivative_missing": 0}, 3, None, "\\sum_{j=0}^{3}",
    ),
    Question(
        "q5", "w^{(L-1)}", "a^{(L)}", "y", ("\\sigma'(z^{(L)})", "\\sigma'(z^{(L-1)})"), ("w^{(L)}", "a^{(L-2)}"),
        {"factor_2_dropped": 3, "wrong_layer": 1, "sign": 0, "activation_derivative_missing": 0}, 4,
        ("a^{(L-2)}", "a^{(L-1)}"),
    ),
]  # fmt: skip


@dataclass(frozen=True)
class Planted:
    """One answer and the truth planted in it."""

    student: str
    question: str
    answer: str
    verdict: str
    diagnosis: str
    first_wrong_line: int | None
    score: float


def value(q: Question, mistake: str, rng: random.Random) -> str:
    """A form of the right answer, or of the answer with ``mistake`` planted."""
    constant = {"factor_2_dropped": "", "factor_2_added": "4"}.get(mistake, "2")
    a, y = (q.y, q.a) if mistake == "sign" else (q.a, q.y)
    rest = [] if mistake == "activation_derivative_missing" else list(q.primes)
    for factor in q.others:
        rest.append(
            q.wrong_input[1] if mistake == "wrong_layer" and q.wrong_input and factor == q.wrong_input[0] else factor
        )
    rng.shuffle(rest)
    times = rng.choice([" ", " \\cdot "])
    product = times.join(rest)
    if rng.random() < 0.3:  # (a - y) multiplied out
        left, right = (f"{constant} {t}".strip() for t in (a, y))
        body = f"{left}{times}{product} - {right}{times}{product}" if product else f"{left} - {right}"
        body = f"\\left({body}\\right)" if q.sum_over else body
    else:
        parts = [f"({a} - {y})", *rest]
        rng.shuffle(parts)
        body = (f"{constant} " if constant else "") + times.join(parts)
    return f"{q.sum_over} {body}".strip()


def derivative(q: Question) -> str:
    return f"\\frac{{\\partial C_0}}{{\\partial {q.wrt}}}"


def answer(q: Question, rng: random.Random, student: str) -> Planted:
    """A random answer to ``q``: right or with one planted mistake, one line or a working."""
    mistake = "" if rng.random() < 0.4 else rng.choice(sorted(q.mistakes))
    lines = 1 if rng.random() < 0.5 else rng.randint(2, 4)
    if lines == 1:
        text = value(q, mistake, rng)
        if rng.random() < 0.3:
            text = f"{derivative(q)} = {text}"
        wrong = 1 if mistake else None
        return Planted(student, q.id, text, _verdict(mistake), mistake, wrong, _score(q, mistake, True))
    first = rng.randint(1, lines) if mistake else None
    second = bool(mistake) and first is not None and first < lines and rng.random() < 0.25
    forms = []
    for k in range(1, lines + 1):
        if first is None or k < first:
            forms.append(value(q, "", rng))
        elif second and k == lines:
            other = sorted(m for m in q.mistakes if m != mistake)[0]
            forms.append(value(q, other, rng))
        else:
            forms.append(value(q, mistake, rng))
    body = f"{derivative(q)} &= {forms[0]}" + "".join(f" \\\\\n&= {f}" for f in forms[1:])
    text = f"\\begin{{align}}\n{body}\n\\end{{align}}" if rng.random() < 0.6 else body
    return Planted(student, q.id, text, _verdict(mistake), mistake, first, _score(q, mistake, not second))


def _verdict(mistake: str) -> str:
    return "incorrect" if mistake else "correct"


def _score(q: Question, mistake: str, carried: bool) -> float:
    if not mistake:
        return q.points
    return float(q.mistakes[mistake]) if carried else 0.0


def make_class(count: int, seed: int = 0) -> list[Planted]:
    """``count`` answers, spread evenly over the questions, each student answering each question once."""
    rng = random.Random(seed)
    return [answer(Q[k % len(Q)], rng, f"student{k // len(Q):04d}") for k in range(count)]


def write_class(folder: Path, planted: list[Planted]) -> tuple[Path, Path]:
    """The question file and the answers file (CSV) for ``planted``, in ``folder``."""
    questions, answers = folder / "questions.toml", folder / "answers.csv"
    questions.write_text(QUESTIONS, encoding="utf-8")
    with open(answers, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["student", "question", "answer"])
        writer.writerows([p.student, p.question, p.answer] for p in planted)
    return questions, answers


def disagreements(planted: list[Planted], table: Path) -> list[str]:
    """Every answer whose grade differs from the truth planted in it, in words."""
    with open(table, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    wrong = []
    if len(rows) != len(planted):
        return [f"{len(rows)} rows for {len(planted)} answers"]
    for p, row in zip(planted, rows, strict=True):
        line = "" if p.first_wrong_line is None else str(p.first_wrong_line)
        got = (row["student"], row["question"], row["verdict"], row["diagnosis"], row["first_wrong_line"])
        if got != (p.student, p.question, p.verdict, p.diagnosis, line) or float(row["score"]) != p.score:
            wrong.append(f"{p.student} {p.question}: planted {p.verdict}/{p.diagnosis}/{line}/{p.score}, got {row}")
    return wrong


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended (the command, and the processes it waited for)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=500)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    planted = make_class(args.answers, args.seed)
    with tempfile.TemporaryDirectory() as work:
        questions, answers = write_class(Path(work), planted)
        command = [sys.executable, "-m", "symbackprop", "grade", str(questions), str(answers), "--out", f"{work}/out"]
        command += ["--workers", str(args.workers)] if args.workers else []
        load = os.getloadavg()[0]
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, check=True, cwd=ROOT)
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
        wrong = disagreements(planted, Path(work, "out", "grades.csv"))
    workings = sum("\\\\" in p.answer for p in planted)
    first_lines = sum(p.first_wrong_line is not None and "\\\\" in p.answer for p in planted)
    print(
        f"{len(planted)} answers ({workings} workings, {first_lines} of them with a first wrong line) graded in "
        f"{seconds:.1f} s (the command, start-up included; {cpu:.1f} s of CPU time in all its processes, on "
        f"{os.cpu_count()} cores, load average {load:.1f} at the start); {len(wrong)} disagree with the truth "
        "planted in them"
    )
    for line in wrong[:20]:
        print("  " + line)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
