"""The training-run parts of docs/commands/verify.md and docs/commands/evaluate.md stay true: the claims the
verify page shows are confirmed, and each command's output block is what the command prints."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "commands"
EXAMPLES = Path(__file__).resolve().parent.parent / "templates" / "examples"


def section(page: str, title: str) -> str:
    text = (DOCS / page).read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def block(text: str, kind: str, after: str = "") -> str:
    return re.search(rf"```{kind}\n{re.escape(after)}(.*?)```", text, re.DOTALL)[1]


def test_the_claims_the_verify_page_shows_are_each_confirmed(cmdline, tmp_path):
    shown = block(section("verify.md", "A training run"), "toml")
    network = (EXAMPLES / "mazur.toml").read_text(encoding="utf-8").split("[claims]")[0]
    (tmp_path / "page.toml").write_text(network + shown)
    done = cmdline.run("verify", "page.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 confirmed, 0 wrong" in done.stdout


def test_the_verify_page_shows_what_verify_prints(cmdline):
    shown = block(section("verify.md", "A training run"), "text", "$ symbackprop verify example:mazur-training\n")
    assert cmdline.run("verify", "example:mazur-training").stdout == shown


def test_the_evaluate_page_shows_the_end_of_what_evaluate_prints(cmdline):
    shown = block(
        section("evaluate.md", "A training run"), "text", "$ symbackprop evaluate example:mazur --steps 4\n...\n"
    )
    assert cmdline.run("evaluate", "example:mazur", "--steps", "4").stdout.endswith(shown)
