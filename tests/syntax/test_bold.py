"""A bold letter or command, as vector notation writes it: \\boldsymbol{\\delta}, \\mathbf{a}; the font is dropped and
the letter kept, with its place in the claim."""

from __future__ import annotations

import pytest

from symbackprop.syntax.errors import ClaimError
from symbackprop.syntax.tree import Name, Scripted, parse

BOLD = [(r"\boldsymbol{\delta}", "\\delta"), (r"\mathbf{a}", "a"), (r"\bm{x}", None)]


@pytest.mark.parametrize(("text", "name"), BOLD)
def test_a_bold_letter_is_the_letter(text, name):
    if name is None:  # \bm is no font the grammar knows: a command, then a brace
        assert not isinstance(parse(text).sides[0], Name)
        return
    node = parse(text).sides[0]
    assert node == Name(0, len(text), name)


def test_a_bold_command_takes_its_scripts():
    node = parse(r"\boldsymbol{\delta}^{L}").sides[0]
    assert isinstance(node, Scripted) and node.base == Name(0, 19, "\\delta")


def test_a_bold_formula_is_still_refused():
    with pytest.raises(ClaimError):
        parse(r"\boldsymbol{\delta + 1}")
