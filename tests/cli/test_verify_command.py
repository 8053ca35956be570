"""symbackprop verify --claim, end to end: verdicts, exit statuses, JSON, files, hostile input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RIGHT = r"2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "symbackprop", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def verify(claim: str, *extra: str, wrt: str = "w_{12}^{(L)}", cwd: Path | None = None):
    return run("verify", "example:deeplizard", "--wrt", wrt, "--claim", claim, *extra, cwd=cwd)


def test_a_correct_claim_exits_0():
    done = verify(RIGHT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("verdict: correct")


def test_an_incorrect_claim_exits_1_with_the_right_answer_and_the_mistake():
    done = verify(r"2(a_1^{(L)} - y_1) a_2^{(L-1)}", "--json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["verdict"] == "incorrect"
    assert data["diagnosis"]["kind"] == "activation_derivative_missing"
    assert "g^{\\prime (L)}" in data["expected"]["latex"]
    assert data["counterexample"]["claim"] != data["counterexample"]["expected"]


def test_an_unreadable_claim_exits_2_and_points_at_the_place():
    done = verify(r"2(a_1^{(L)} - y_1) \sigma'(z_1^{(L)}) a_2^{(L-1)} \oops")
    assert done.returncode == 2
    assert "unknown command \\oops" in done.stdout
    lines = done.stdout.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret - 1][lines[caret].index("^")] == "\\"


def test_the_claim_can_come_from_a_file(tmp_path):
    path = tmp_path / "claim.tex"
    path.write_text("\\frac{\\partial C_0}{\\partial w_{12}^{(L)}} = " + RIGHT + "\n")
    done = run("verify", "example:deeplizard", "--claim-file", str(path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_wrt_and_the_left_hand_side_must_agree():
    done = verify("\\frac{\\partial C_0}{\\partial w_{21}^{(L)}} = " + RIGHT)
    assert done.returncode == 2
    assert "left-hand side" in done.stderr


def test_the_report_can_be_written_to_a_file(tmp_path):
    out = tmp_path / "report.json"
    done = verify(RIGHT, "--json", "-o", str(out))
    assert done.returncode == 0
    assert json.loads(out.read_text())["verdict"] == "correct"


HOSTILE = [
    "__import__('os').system('touch PWNED')",
    r"\input{/etc/passwd}",
    r"\write18{touch PWNED}",
    r"\immediate\write18{touch PWNED}",
    r"\openout1=PWNED",
    r"\catcode`\^=7",
    "{{ 7*7 }}",
    r"\BLOCK{ set x = 1 }",
    r"\VAR{ 7*7 }",
    "{" * 100000,
    "a" * 100000,
]


@pytest.mark.parametrize("claim", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_claims_are_answered_cleanly_and_nothing_runs(claim, tmp_path):
    done = verify(claim, "--json", cwd=tmp_path)
    assert done.returncode in (1, 2)
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "PWNED").exists()
    data = json.loads(done.stdout)
    assert data["verdict"] in ("unparseable", "incorrect")
    assert "49" not in json.dumps(data.get("read_as", ""))


@pytest.mark.parametrize("name", ["3b1b", "deeplizard", "hmkcode", "mazur", "worked"])
def test_every_built_in_example_takes_claims(name):
    """The source texts' own networks are the ones claims are pasted against: none is refused as too large."""
    from symbackprop.derive import bounds
    from symbackprop.model.network import Network

    bounds.check_claim(Network.from_toml(f"example:{name}"))
