"""A claim or a --wrt counting neurons from 1 on a network numbered from 0 gets the hint to say so."""

from __future__ import annotations

import re

import pytest

import symbackprop as sbp
from symbackprop.verify import verify_claim

from ..commandline import CommandLine

HINT = "did you mean --index-base 1 (index_base = 1 in a spec file)? Numbered from 1, it reads"


@pytest.fixture(scope="module")
def lizard() -> sbp.Network:
    return sbp.Network.from_toml("example:deeplizard")  # 6-4 at the output, neurons from 0


def test_a_claim_counted_from_one_is_told_so(lizard):
    claim = r"\frac{\partial C_0}{\partial w_{14}^{(L)}} = 2(a_4^{(L)} - y_4) a_1^{(L-1)}"
    report = verify_claim(lizard, claim)
    assert report.verdict == "unparseable"
    assert report.error.endswith(f"index 4 is out of range; layer L has neurons 0 to 3; {HINT}")


def test_a_wrt_counted_from_one_is_told_so(lizard):
    with pytest.raises(
        sbp.SpecError,
        match=r"index 4 is out of range.*" + re.escape(HINT),
    ):
        verify_claim(lizard, "2(a_4^{(L)} - y_4) a_6^{(L-1)}", "w_{46}^{(L)}")


@pytest.mark.parametrize("claim", ["2(a_9^{(L)} - y_1) a_2^{(L-1)}", "2(a_4^{(L)} - y_0) a_0^{(L-1)}"])
def test_no_hint_where_counting_from_one_does_not_read_either(lizard, claim):
    """a_9 is out of range from 1 too; y_0 and a_0 do not exist from 1."""
    report = verify_claim(lizard, claim, "w_{12}^{(L)}")
    assert report.verdict == "unparseable" and "index-base" not in report.error


def test_the_command_prints_the_hint_on_its_one_line():
    done = CommandLine().run("verify", "example:deeplizard", "--wrt", "w_{46}^{(L)}", "--claim", "a_6^{(L-1)}")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and HINT in done.stderr
