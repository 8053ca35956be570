"""|x| in the grammar: which bar opens and which closes is told from what comes before it."""

from __future__ import annotations

import pytest

import symbackprop as sbp
from symbackprop.syntax.errors import ClaimError
from symbackprop.syntax.tree import Binary, Group, Name, Neg, Product, parse
from symbackprop.verify.claims import verify_claim


def only(text: str):
    (side,) = parse(text).sides
    return side


def bars(node) -> Group:
    assert isinstance(node, Group) and node.delim == "|", node
    return node


def test_a_bar_pair_is_a_group_of_its_own_kind():
    inner = bars(only("|x|")).items[0]
    assert isinstance(inner, Name) and inner.name == "x"


def test_two_bar_pairs_side_by_side_are_a_product():
    side = only("|a| |b|")
    assert isinstance(side, Product) and [bars(f).items[0].name for f in side.factors] == ["a", "b"]


def test_bars_inside_bars_close_the_inner_pair_first():
    outer = bars(only("|x - |y||"))
    difference = outer.items[0]
    assert isinstance(difference, Binary) and bars(difference.right).items[0].name == "y"


def test_a_bar_after_an_operator_opens():
    assert isinstance(bars(only("|-x|")).items[0], Neg)


@pytest.mark.parametrize("text", [r"\left| x \right|", r"\lvert x \rvert", r"\left|x\right|"])
def test_the_latex_spellings_of_bars_say_which_they_are(text):
    assert bars(only(text)).items[0].name == "x"


@pytest.mark.parametrize("text", ["|x", "x|", "||", r"\left| x"])
def test_an_unpaired_bar_is_an_error_with_its_place(text):
    with pytest.raises(ClaimError, match="position"):
        parse(text)


def test_a_claim_with_an_absolute_value_is_decided_by_its_meaning():
    net = sbp.Network(layers=[1, 1, 1], notation="3b1b")
    wrong = verify_claim(net, r"2 |a^{(L)} - y| \sigma'(z^{(L)}) a^{(L-1)}", "w^{(L)}")
    right = verify_claim(net, r"2 (a^{(L)} - y) \sigma'(z^{(L)}) |a^{(L-1)}|", "w^{(L)}")  # a sigmoid is positive
    assert wrong.verdict == "incorrect" and right.verdict == "correct"
