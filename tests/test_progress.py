"""Progress lines: on a terminal's stderr only, cleared at the end; nothing when stderr is a pipe."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time

from symbackprop.progress import Progress


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


def test_quick_work_shows_no_line_even_on_a_terminal():
    out = Terminal()
    with Progress("deriving", slow_after=5, stream=out) as p:
        p.step("w")
    assert out.getvalue() == ""


def test_the_command_line_is_quiet_when_stderr_is_not_a_terminal():
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", "gradcheck", "--layers", "4,6,3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0
    assert done.stderr == ""


def test_the_command_line_shows_progress_on_a_terminal():
    """stderr on a pseudo-terminal: gradcheck reports while it works (shown at once, however fast it is)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "symbackprop", "gradcheck", "--layers", "5,9,9,3"],
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        env={**os.environ, "SYMBACKPROP_PROGRESS_AFTER": "0"},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=300)
    os.close(leader)
    assert proc.returncode == 0
    assert b"comparing every gradient with finite differences" in seen
