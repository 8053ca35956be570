"""Jupyter shows a claim's verdict and a proof as formatted Markdown, not as a dataclass dump."""

from __future__ import annotations

import pytest

import symbackprop as sbp
from symbackprop.verify import verify_claim

RIGHT = "2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}"


@pytest.fixture(scope="module")
def lizard() -> sbp.Network:
    return sbp.Network.from_toml("example:deeplizard")


def test_a_right_claim_shows_its_verdict_and_the_answer_as_math(lizard):
    shown = verify_claim(lizard, RIGHT, "w_{12}^{(L)}")._repr_markdown_()
    assert shown.startswith("**correct** for $w_{12}^{(L)}$\n")
    assert r"- The right answer: $\frac{\partial C_0}{\partial w_{12}^{(L)}} = 2 (a_{1}^{(L)} - y_{1})" in shown
    assert "ClaimReport(" not in shown


def test_a_wrong_claim_shows_what_went_wrong_and_a_counterexample(lizard):
    shown = verify_claim(lizard, "2(a_1^{(L)} - y_1) a_2^{(L-1)}", "w_{12}^{(L)}")._repr_markdown_()
    assert shown.startswith("**incorrect**")
    assert r"- What went wrong: the derivative of the activation, $g^{\prime (L)}(z_{1}^{(L)})$, is missing" in shown
    assert "- A counterexample: the claim gives " in shown


@pytest.mark.parametrize("claim, fence", [("2(a_1^{(L)}", "```"), ("x ``` <b>hi</b>", "````")])
def test_an_unreadable_claim_is_shown_as_written_in_a_fence_it_cannot_close(lizard, claim, fence):
    shown = verify_claim(lizard, claim, "w_{12}^{(L)}")._repr_markdown_()
    assert shown.startswith("**unparseable**")
    assert f"\n{fence}text\n{claim}\n{fence}\n" in shown


def test_a_proof_shows_its_verdict_method_and_facts(lizard):
    proof = lizard.derive("w_{12}^{(L)}").check()
    shown = proof._repr_markdown_()
    assert shown.startswith(f"**proven** ({proof.method}): {proof.statement}")
    assert all(f"- {fact}" in shown for fact in proof.activation_facts)
