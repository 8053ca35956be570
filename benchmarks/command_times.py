"""Sections 5 and 6: commands as fresh processes, by wall clock (the interpreter's start and imports included).

5. start-up: ``--help``, an argument error and a derivation of a built-in example, each as a ratio to
   ``python3 -c pass`` and to ``python3 -c "import sympy"``; the commands take turns run by run and the best of
   ``repeat`` runs counts (``timing.commands_seconds``).
6. documents: derive --to tex and --to pdf of the source texts' networks, and --wrt all, once each.
"""

from __future__ import annotations

import compileall
import shutil
import sys
import tempfile
from pathlib import Path

from timing import ROOT, command_seconds, commands_seconds, verdict

PYTHON = sys.executable
SBP = [PYTHON, "-m", "symbackprop"]
EXAMPLE = ["derive", "example:3b1b", "--wrt", "w^{(L)}"]


def startup_commands(work: Path) -> dict[str, tuple[list[str], int]]:
    """Label: (command, the exit status it must give)."""
    return {
        "python3 -c pass": ([PYTHON, "-c", "pass"], 0),
        'python3 -c "import sympy"': ([PYTHON, "-c", "import sympy"], 0),
        "symbackprop --help": ([*SBP, "--help"], 0),
        "symbackprop derive (no args)": ([*SBP, "derive"], 2),
        "derive example:3b1b --to text": ([*SBP, *EXAMPLE, "--to", "text"], 0),
        "derive example:3b1b --to tex -o": ([*SBP, *EXAMPLE, "--to", "tex", "-o", str(work / "out.tex")], 0),
    }


TARGETS = {  # label: (the reference it is a ratio to, at most)
    "symbackprop --help": ("python3 -c pass", 3.0),
    "derive example:3b1b --to text": ('python3 -c "import sympy"', 1.5),
    "derive example:3b1b --to tex -o": ('python3 -c "import sympy"', 1.5),
}


def startup_section(quick: bool) -> None:
    # pip compiles an installed wheel's bytecode; a checkout run with PYTHONDONTWRITEBYTECODE=1 would compile
    # every module of the package at every start instead (0.2 s), so the checkout's is compiled here first.
    compileall.compile_dir(str(ROOT / "symbackprop"), quiet=1)
    repeat = 5 if quick else 15
    print(f"\n5. command start-up (wall time of a fresh process, best of {repeat} taking turns; ratio = command / ref)")
    with tempfile.TemporaryDirectory() as work:
        jobs = startup_commands(Path(work))
        best = commands_seconds({label: command for label, (command, _) in jobs.items()}, repeat, work)
    bare, sympy = best["python3 -c pass"][0], best['python3 -c "import sympy"'][0]
    print(f"{'command':>34} {'seconds':>8} {'/pass':>7} {'/sympy':>7}  target")
    for label, (seconds, status, last) in best.items():
        expected = jobs[label][1]
        line = f"{label:>34} {seconds:8.3f} {seconds / bare:7.2f} {seconds / sympy:7.2f}"
        if status != expected:
            line += f"  exit {status}, not {expected}: {last[:80]}"
        elif label in TARGETS:
            reference, most = TARGETS[label]
            line += (
                f"  /{'pass' if reference.endswith('pass') else 'sympy'} {verdict(seconds / best[reference][0], most)}"
            )
        print(line)


def document_section(quick: bool) -> None:
    print("\n6. documents: wall time of the command (seconds, one run each)")
    jobs = [
        ("example:3b1b", "w^{(L-1)}", "tex"),
        ("example:deeplizard", "w_{22}^{(L-1)}", "tex"),
        ("--layers=4,8,8,3", "all", "tex"),
    ]
    if shutil.which("pdflatex"):
        jobs += [("example:3b1b", "w^{(L-1)}", "pdf"), ("example:deeplizard", "w_{22}^{(L-1)}", "pdf")]
        if not quick:
            jobs.append(("--layers=4,8,8,3", "all", "pdf"))
    else:
        print("   (no pdflatex here: the pdf documents are not timed)")
    with tempfile.TemporaryDirectory() as work:
        for spec, wrt, fmt in jobs:
            out = Path(work) / f"out.{fmt}"
            command = [*SBP, "derive", spec, "--wrt", wrt, "--to", fmt, "-o", str(out)]
            seconds, status, last = command_seconds(command, 1, work)
            shown = f"{seconds:8.2f}" if status == 0 else f"  failed (exit {status}): {last[:60]}"
            print(f"{spec:>20} {wrt:>16} {fmt:>4} {shown}", flush=True)
