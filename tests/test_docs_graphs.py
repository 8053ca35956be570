"""docs/circuits-and-graphs.md stays true: each command it shows gives the output shown (a block ending in
``...`` shows the start of it), and its Python blocks, run in order in one session, print the text block after
each."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parent.parent / "docs" / "circuits-and-graphs.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def blocks() -> list[tuple[str, str]]:
    return [(kind, body) for kind, body in BLOCK.findall(PAGE.read_text(encoding="utf-8"))]


def commands() -> list[tuple[list[str], str]]:
    found = []
    for kind, body in blocks():
        if kind == "console":
            first, _, shown = body.partition("\n")
            assert first.startswith("$ symbackprop "), first
            found.append((shlex.split(first[len("$ symbackprop ") :]), shown))
    return found


def test_the_page_has_what_the_tests_below_read():
    kinds = [kind for kind, _ in blocks()]
    assert len(commands()) >= 3 and kinds.count("python") >= 2


@pytest.mark.parametrize(("argv", "shown"), commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_each_command_prints_what_the_page_shows(cmdline, argv, shown):
    done = cmdline.run(*argv)
    if shown.endswith("...\n"):
        assert done.stdout.startswith(shown[: -len("...\n")])
    else:
        assert done.stdout == shown


def test_the_python_blocks_print_what_the_page_shows(monkeypatch):
    monkeypatch.chdir(PAGE.parent.parent)
    namespace: dict[str, object] = {}
    pending = None
    pairs = 0
    for kind, body in blocks():
        if kind == "python":
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(body, str(PAGE), "exec"), namespace)  # the page's own code, as a reader runs it
            pending = printed.getvalue()
        elif kind == "text" and pending is not None:
            assert pending == body
            pending, pairs = None, pairs + 1
    assert pairs >= 2
