"""The README's commands stay true: each ``symbackprop ...`` line of its shell blocks runs, in a folder of its
own (with ``templates/`` beside it, as in a clone), and ends as the README says: 0, or 1 for the claim it shows
to be incorrect. Outputs that need pdflatex run where it is installed (always in CI)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from .needs import NEEDS_TEX

ROOT = Path(__file__).resolve().parent.parent
SHELL = re.compile(r"```sh\n(.*?)```", re.DOTALL)


def readme_commands() -> list[list[str]]:
    found = []
    for block in SHELL.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        for line in block.splitlines():
            if line.startswith("symbackprop "):
                found.append(shlex.split(line, comments=True)[1:])
    return found


def test_the_readme_shows_commands_for_networks_and_graphs():
    specs = {argv[1] for argv in readme_commands() if len(argv) > 1}
    assert {"example:worked", "example:circuit", "example:neuron"} <= specs


@pytest.mark.parametrize(
    "argv",
    [pytest.param(a, marks=NEEDS_TEX) if "pdf" in a else a for a in readme_commands()],
    ids=lambda argv: " ".join(argv)[:60],
)
def test_each_readme_command_runs(cmdline, tmp_path, argv):
    shutil.copytree(ROOT / "templates" / "examples", tmp_path / "templates" / "examples")
    done = cmdline.run(*argv, cwd=tmp_path)
    expected = 1 if "--claim" in argv and "a_2^{(L-1)}" in argv[-1] else 0  # the README's incorrect claim
    assert done.returncode == expected, done.stderr
    if "-o" in argv:
        assert (tmp_path / argv[argv.index("-o") + 1]).stat().st_size > 0
