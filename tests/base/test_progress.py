"""Progress lines: on a terminal's stderr only, each stage named as it begins, cleared at the end; nothing
when stderr is a pipe, and nothing of them in standard output or in an output file."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symbackprop.base.progress import Progress

from ..needs import NEEDS_TEX


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_the_steps_and_then_a_cleared_line():
    out = Terminal()
    with Progress("deriving", slow_after=0, stream=out) as p:
        p.step("w in layer L")
        p.step("b in layer L")
    text = out.getvalue()
    assert "deriving: 1, w in layer L" in text and "deriving: 2, b in layer L" in text
    assert text.endswith("\r")  # the line is blanked, so the prompt or output starts clean


def test_a_pipe_sees_nothing():
    out = io.StringIO()
    with Progress("deriving", slow_after=0, stream=out) as p:
        p.step("w")
        time.sleep(1.2)
    assert out.getvalue() == ""


def test_a_stage_renames_the_line_and_counts_its_steps_afresh():
    out = Terminal()
    with Progress("symbackprop derive", slow_after=0, stream=out) as p:
        p.stage("deriving")
        p.step("w")
        p.stage("proving the matrix form")
    text = out.getvalue()
    assert "symbackprop derive: deriving: 1, w (0 s)" in text
    assert "symbackprop derive: proving the matrix form (0 s)" in text


def test_a_line_ended_early_stays_cleared():
    out = Terminal()
    with Progress("symbackprop derive", slow_after=0, stream=out) as p:
        p.stage("rendering")
        p.end()
        written = out.getvalue()
        p.stage("after the end")
    assert written.endswith("\r") and out.getvalue() == written


def test_quick_work_shows_no_line_even_on_a_terminal():
    out = Terminal()
    with Progress("deriving", slow_after=5, stream=out) as p:
        p.step("w")
    assert out.getvalue() == ""


def run(args: list[str], cwd: Path, terminal: bool) -> tuple[int, bytes, bytes]:
    """(status, stdout, stderr) of a command whose stderr is a pseudo-terminal or a pipe; progress shown at once."""
    env = {**os.environ, "SYMBACKPROP_PROGRESS_AFTER": "0"}
    command = [sys.executable, "-m", "symbackprop", *args]
    if not terminal:
        done = subprocess.run(command, capture_output=True, cwd=cwd, env=env, timeout=600)
        return done.returncode, done.stdout, done.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, cwd=cwd, env=env)
    os.close(follower)
    seen = b""
    while chunk := _read(leader):
        seen += chunk
    out = proc.stdout.read()
    proc.wait(timeout=600)
    proc.stdout.close()
    os.close(leader)
    return proc.returncode, out, seen


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 4096)
    except OSError:  # the terminal's other end closed: the command is done
        return b""


# Each command, and the stages its line names, in order.
COMMANDS = {
    "derive": (
        ["derive", "example:worked", "--wrt", "w_{00}^{(L-1)}", "--to", "tex", "-o", "out.tex"],
        ["reading the spec", "deriving", "proving", "proving the matrix form", "working the numbers", "rendering"],
    ),
    "derive-all": (
        ["derive", "example:worked", "--wrt", "all", "--to", "tex"],
        ["deriving every weight and bias", "proving every weight and bias: 1, w in layer L", "rendering"],
    ),
    "derive-general": (
        ["derive", "--layers", "4,3,2", "--wrt", "w_{jk}^{(l)}", "--to", "tex"],
        ["reading the spec", "proving the general form", "rendering"],
    ),
    "derive-wrt2": (
        ["derive", "example:3b1b", "--wrt", "w^{(L)}", "--wrt2", "w^{(L-1)}", "-o", "out.txt"],
        ["deriving the second derivative", "proving the second derivative", "rendering"],
    ),
    "evaluate": (["evaluate", "example:worked"], ["deriving every gradient", "computing the gradient"]),
    "gradcheck": (
        ["gradcheck", "example:worked"],
        ["deriving every gradient", "computing every gradient", "comparing with finite differences"],
    ),
    "verify-numbers": (["verify", "example:mazur"], ["checking the claimed numbers", "rendering"]),
    "verify-claim": (
        ["verify", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", "2(a_1^{(L)} - y_1) a_2^{(L-1)}"],
        ["reading the claim", "deriving", "deciding the claim", "finding where the claim goes wrong", "rendering"],
    ),
    "codegen": (["codegen", "example:worked", "-o", "grad.py"], ["deriving the matrix form", "writing the code"]),
}


def stages_shown(terminal: bytes, command: str) -> list[str]:
    """The stage names the line showed, in order, each once."""
    prefix = f"symbackprop {command}: "
    names = [part.split(" (")[0].strip()[len(prefix) :] for part in terminal.decode().split("\r")]
    return list(dict.fromkeys(n for n in names if n))


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_names_its_stages_on_a_terminal_and_nowhere_else(name, tmp_path):
    args, stages = COMMANDS[name]
    for where in ("terminal", "pipe"):
        (tmp_path / where).mkdir()
    status, out, terminal = run(args, tmp_path / "terminal", terminal=True)
    piped_status, piped_out, piped_err = run(args, tmp_path / "pipe", terminal=False)
    assert status == piped_status and status in (0, 1), terminal
    shown = stages_shown(terminal, args[0])
    for stage in stages:
        assert any(s == stage or s.startswith(stage) for s in shown), (stage, shown)
    order = [next(i for i, s in enumerate(shown) if s.startswith(stage)) for stage in stages]
    assert order == sorted(order), shown  # each named as it begins, in the order they run
    assert terminal.endswith(b"\r") and terminal.rsplit(b"\r", 2)[1].strip() == b""  # cleared at the end
    assert piped_err == b""  # a pipe sees nothing
    assert out == piped_out and b"symbackprop " + args[0].encode() + b":" not in out
    for written in (tmp_path / "terminal").iterdir():  # an output file is the same as without a terminal
        assert written.read_bytes() == (tmp_path / "pipe" / written.name).read_bytes()


@NEEDS_TEX
def test_a_pdf_build_names_its_stages_and_leaves_the_pdf_as_without_a_terminal(tmp_path):
    args = ["derive", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--to", "pdf", "-o", "out.pdf"]
    for where in ("terminal", "pipe"):
        (tmp_path / where).mkdir()
    status, out, terminal = run(args, tmp_path / "terminal", terminal=True)
    assert status == 0 and out == b"", terminal
    shown = stages_shown(terminal, "derive")
    assert shown.index("proving") < shown.index("proving the matrix form") < shown.index("rendering")
    assert shown[-1] == "compiling the PDF" and terminal.rsplit(b"\r", 2)[1].strip() == b""
    assert run(args, tmp_path / "pipe", terminal=False)[2] == b""
    assert (tmp_path / "terminal" / "out.pdf").read_bytes() == (tmp_path / "pipe" / "out.pdf").read_bytes()


def test_an_error_after_some_stages_starts_on_a_cleared_line(tmp_path):
    status, _, terminal = run(["derive", "example:worked", "--wrt", "w_{99}^{(L)}"], tmp_path, terminal=True)
    assert status == 2
    before, error = terminal.decode().rstrip("\r\n").rsplit("\r", 1)  # the terminal ends lines with \r\n
    assert "reading the spec" in before and before.rsplit("\r", 1)[1].strip() == ""
    assert error.startswith("symbackprop derive: error: reference 'w_{99}^{(L)}'")
