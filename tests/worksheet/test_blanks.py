"""A worksheet's blanks as data, over every layered built-in example: filled with the answer key's formulas they
all verify correct; filled with the mistakes students make (the factor 2 dropped, the activation's derivative left
out, the weight's input taken from the wrong layer, the sign flipped) verify catches each with its diagnosis."""

from __future__ import annotations

import shlex

import pytest
import sympy as sp

from symbackprop.base.errors import SpecError
from symbackprop.base.resources import example_names, example_path
from symbackprop.derive.derivation import derive
from symbackprop.model.network import Network
from symbackprop.model.printing import printers
from symbackprop.model.symbols import A, ActivationPrimeBase
from symbackprop.render.worksheet import Blank
from symbackprop.verify.claims import verify_claim
from symbackprop.worksheets import PLACEHOLDER, blanks, steps_of


def layered() -> list[str]:
    names = []
    for name in example_names():
        try:
            Network.from_toml(example_path(name)).require_layered("a worksheet")
        except SpecError:
            continue
        names.append(name)
    return names


LAYERED = layered()


def every_blank(name: str) -> tuple[Network, tuple[Blank, ...]]:
    """Every step of the derivation of the example's first-layer weight (its longest derivation) as a blank."""
    net = Network.from_toml(example_path(name))
    ref = [p for p in net.parameters() if p.kind == "w" and p.layer == 1][-1]
    d = derive(net, ref)
    return net, blanks(d, len(steps_of(d)), [f"example:{name}"])


def test_the_layered_examples_are_there() -> None:
    assert {"3b1b", "deeplizard", "mazur", "worked"} <= set(LAYERED)


@pytest.mark.parametrize("name", LAYERED)
def test_the_answer_keys_formulas_verify_correct(name: str) -> None:
    net, found = every_blank(name)
    assert [b.step for b in found] == list(range(1, len(found) + 1)) and len(found) >= 2
    for blank in found:
        assert blank.wrt is None or net.ref(blank.wrt) == blank.target
        report = verify_claim(net, blank.claim, blank.wrt)
        assert report.verdict == "correct", (blank.lhs, blank.claim, report.verdict)
        assert blank.command.endswith(f"{PLACEHOLDER}'") and f"example:{name}" in blank.command
        assert (f"--wrt '{blank.wrt}'" in blank.key_command) == (blank.wrt is not None)


def filled(blank: Blank, formula: str) -> str:
    """A blank filled with ``formula``, as the student gives it to verify: after the derivative where the blank's
    step is told for each neuron (no --wrt names it)."""
    return formula if blank.wrt is not None else f"{blank.lhs} = {formula}"


def mistakes(net: Network, blank: Blank) -> list[tuple[str, sp.Expr]]:
    """The typical mistakes a student makes on this blank, planted in the right answer (each where it changes
    the answer)."""
    right = blank.answer
    out = [("sign", -right)]  # (y - a) for (a - y)
    if net.spec.cost == "sse":
        out.append(("factor_2_dropped", right / 2))
    primes = [p for p in right.atoms(ActivationPrimeBase) if net.activation(int(p.args[0])).name != "identity"]
    if primes:
        out.append(("activation_derivative_missing", right.xreplace({p: sp.Integer(1) for p in primes})))
    t = blank.target
    if t.kind == "w":
        layer, k = t.layer, t.indices[1]
        wrong = A[layer, k] if k in net.neurons(layer) else A[layer, t.indices[0]]
        out.append(("wrong_layer", right.xreplace({A[layer - 1, k]: wrong})))
    return out


@pytest.mark.parametrize("name", LAYERED)
def test_each_typical_mistake_is_caught_with_its_diagnosis(name: str) -> None:
    net, found = every_blank(name)
    _, tex = printers(net.notation, net.layers)
    planted = 0
    for blank in found:
        for kind, wrong in mistakes(net, blank):
            claim = filled(blank, tex.doprint(wrong))
            report = verify_claim(net, claim, blank.wrt)
            assert report.verdict == "incorrect", (blank.wrt, kind, claim)
            assert report.diagnosis is not None and kind in report.diagnosis.kind.split("+"), (
                blank.wrt,
                kind,
                report.diagnosis,
            )
            planted += 1
    assert planted > len(found)  # every blank got its sign flipped, and some a mistake of their own


def test_the_commands_the_key_prints_run_and_say_correct(cmdline) -> None:
    _, found = every_blank("3b1b")
    for blank in found:
        done = cmdline.run(*shlex.split(blank.key_command)[1:])
        assert done.returncode == 0 and "correct" in done.stdout.lower()
        student = cmdline.run(*shlex.split(blank.command)[1:])
        assert student.returncode == 2  # YOUR ANSWER, left in, cannot be read
