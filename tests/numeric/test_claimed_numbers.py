"""verify SPEC: the numbers a worked example printed, against the engine's values.

Two published worked examples are written as specs in templates/examples (mazur, hmkcode),
with the source cited in each file; every number they print must be confirmed.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from symbackprop.model.network import Network
from symbackprop.numeric.claimed_numbers import check_numbers, half_unit

from ..needs import NEEDS_TEX

TWO_DECIMALS = """
layers = [2, 1, 1]
activation = "identity"
cost = "half_sse"
bias = "none"
[values]
x = [1.0, 1.0]
y = [0.0]
weights = [[[0.26, 0.0]], [[10.0]]]
learning_rate = 0.1
"""


def spec(tmp_path: Path, claims: str, body: str = TWO_DECIMALS) -> Path:
    path = tmp_path / "net.toml"
    path.write_text(body + claims)
    return path


@pytest.mark.parametrize(("example", "count"), [("mazur", 20), ("hmkcode", 11)])
def test_published_worked_examples_are_confirmed_number_by_number(example, count, cmdline):
    done = cmdline.run("verify", f"example:{example}", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["verdict"] == "correct"
    assert len(data["numbers"]) == count
    assert {row["verdict"] for row in data["numbers"]} == {"confirmed"}


def test_a_number_agrees_within_half_a_unit_of_its_last_written_place():
    assert half_unit(Decimal("0.3833")) == Decimal("0.00005")
    assert half_unit(Decimal("0.10")) == Decimal("0.005")
    assert half_unit(Decimal("12")) == Decimal("0.5")
    assert half_unit(Decimal("1.25E-4")) == Decimal("0.0000005")


def test_a_trailing_zero_counts(tmp_path):
    """0.30 claims two decimals: 0.26 is outside 0.295..0.305, though inside 0.25..0.35 of "0.3"."""
    checks = check_numbers(Network.from_toml(spec(tmp_path, '[claims.values]\n"a_{0}^{(1)}" = 0.30\n')))
    assert checks[0].tolerance == Decimal("0.005")
    assert checks[0].verdict == "wrong"
    checks = check_numbers(Network.from_toml(spec(tmp_path, '[claims.values]\n"a_{0}^{(1)}" = 0.3\n')))
    assert checks[0].verdict == "confirmed"


def test_rounding_carried_forward_is_told_apart_from_a_mistake(tmp_path, cmdline):
    """The hidden value 0.26 printed as 0.3 and carried on gives the output 3.0, not 2.6."""
    claims = '[claims.values]\n"a_{0}^{(1)}" = 0.3\n"a_{0}^{(2)}" = 3.0\n[claims.gradients]\n"w_{00}^{(2)}" = 0.5\n'
    path = spec(tmp_path, claims)
    checks = {c.reference: c for c in check_numbers(Network.from_toml(path))}
    assert checks["a_{0}^{(1)}"].verdict == "confirmed"
    assert checks["a_{0}^{(2)}"].verdict == "rounding carried forward"
    assert "rounded to 1 decimal place" in checks["a_{0}^{(2)}"].note
    assert checks["w_{00}^{(2)}"].verdict == "wrong"  # dC/dw = a^(2) a^(1) = 0.676 (0.9 carried): neither is 0.5
    done = cmdline.run("verify", str(path))
    assert done.returncode == 1
    assert "rounding carried forward" in done.stdout and "wrong" in done.stdout


def test_a_wrong_number_fails_with_status_1_and_the_computed_value(tmp_path, cmdline):
    path = spec(tmp_path, "[claims]\ncost = 3.5\n")
    done = cmdline.run("verify", str(path), "--json")
    assert done.returncode == 1
    row = json.loads(done.stdout)["numbers"][0]
    assert row["verdict"] == "wrong"
    assert row["computed"] == pytest.approx(0.5 * 2.6**2)


def test_a_tolerance_replaces_the_half_unit(tmp_path):
    path = spec(tmp_path, "[claims]\ntolerance = 0.5\ncost = 3.0\n")
    assert check_numbers(Network.from_toml(path))[0].verdict == "confirmed"


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ("[claims]\nsurprise = 1\n", "unknown key 'surprise'"),
        ('[claims]\ncost = "high"\n', "must be a number"),
        ('[claims.values]\n"a_{9}^{(1)}" = 0.3\n', "out of range"),
        ('[claims.updated]\n"a_{0}^{(1)}" = 0.3\n', "not one of the kinds"),
        ('[claims.values]\n"a_{0}^{(0)}" = 1.0\n', "is an input"),
        ("[claims]\n", "no numbers to check"),
        ("[claims]\ntolerance = -1.0\ncost = 1\n", "must not be negative"),
    ],
)
def test_bad_claims_tables_are_one_line_errors(tmp_path, claims, words, cmdline):
    done = cmdline.run("verify", str(spec(tmp_path, claims)))
    assert done.returncode == 2
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_verify_without_claims_or_a_claim_says_what_to_give(cmdline):
    done = cmdline.run("verify", "example:deeplizard")
    assert done.returncode == 2
    assert "--claim" in done.stderr


def test_claims_need_values_and_updates_need_a_learning_rate(tmp_path, cmdline):
    no_rate = TWO_DECIMALS.replace("learning_rate = 0.1\n", "")
    done = cmdline.run("verify", str(spec(tmp_path, '[claims.updated]\n"w_{00}^{(2)}" = 9.0\n', no_rate)))
    assert done.returncode == 2 and "learning_rate" in done.stderr
    done = cmdline.run("verify", str(spec(tmp_path, "[claims]\ncost = 1.0\n", "layers = [1, 1]\n")))
    assert done.returncode == 2 and "[values]" in done.stderr


@NEEDS_TEX
def test_the_worked_example_in_the_pdf_marks_each_claimed_number(tmp_path, cmdline):
    from symbackprop.render.latex_build import pdf_text

    path = spec(tmp_path, '[claims]\ncost = 3.5\n[claims.values]\n"a_{0}^{(1)}" = 0.3\n')
    out = tmp_path / "worked.pdf"
    done = cmdline.run("derive", str(path), "--wrt", "w_{00}^{(2)}", "--to", "pdf", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = " ".join(pdf_text(out.read_bytes()).split())
    assert "The numbers the source printed" in text
    assert "confirmed" in text and "not confirmed" in text
    assert "1 of the 2 printed numbers could not be confirmed" in text
