"""Worksheets: a worked example with its last steps left blank for the student (a faded worked example), each
blank a claim the student checks with ``symbackprop verify``.

A derivation's steps are the ones its document tells: how the cost depends on each quantity the chain passes
through (its subderivations, deepest last), then on the quantity asked for. ``worksheet(d, fade, ...)`` keeps
the first steps worked and turns the last ``fade`` into blanks, each with what a student must write (the step's
result, in the network's own notation, as LaTeX that ``verify`` reads) and the exact command that checks it. The
blanks are worked out here; the renderers only lay them out (``render.worksheet``).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

import sympy as sp

from .base.errors import SpecError
from .derive.backward import Backward, ErrorStep, backward, tells_backward
from .derive.derivation import Derivation
from .derive.general_form import DELTA
from .derive.steps import steps as told_steps
from .model.partial import Partial
from .model.printing import printers
from .model.references import Ref
from .model.symbols import C0, Z
from .prove.forms import stated_proofs
from .render.finished import DerivationDocument
from .render.worksheet import Blank, Worksheet

PLACEHOLDER = "YOUR ANSWER"  # where the student's formula goes in the command a blank prints


def steps_of(d: Derivation) -> list[Derivation]:
    """The derivation's steps in the order its document tells them (``derive.steps``): each hidden layer's
    activations the chain passes through, one step per layer, told with the neuron a letter where the layer has
    several, then the quantity asked for."""
    return [*(step.told for step in told_steps(d)), d]


def told_backward(d: Derivation) -> bool:
    """Whether the sheet of ``d`` follows its preset's backward story (Nielsen's BP1, BP2, BP3/BP4; Goodfellow's
    Algorithm 6.4) rather than the chain rule's steps: where a document of ``d`` tells that story."""
    return d.network.notation.story != "chain" and tells_backward(d)


def step_count(d: Derivation) -> int:
    """How many steps the sheet of ``d`` has: the story's (one per layer's error, then the gradient), or the
    chain's."""
    return len(backward(d).errors) + 1 if told_backward(d) else len(steps_of(d))


def check_fade(fade: int, steps: int) -> None:
    """Refuse a --fade that is not between 0 and the number of steps, naming both."""
    if fade < 0 or fade > steps:
        raise SpecError(
            f"--fade {fade}: this derivation has {steps} step{'s' if steps != 1 else ''}; "
            f"give a number of steps to leave blank from 0 to {steps}"
        )


def blanks(d: Derivation, fade: int, spec_words: Sequence[str]) -> tuple[Blank, ...]:
    """The last ``fade`` steps of ``d`` as blanks: for each, the reference it is about, the formula that fills
    it (the step's result with its sums written as sums, as the document prints it), the claim verify checks and
    the verify command, with ``spec_words`` naming the spec as the student typed it (a file, example:NAME, or the
    flags). A step told for each neuron of a layer is checked for every neuron: its claim starts with the
    derivative, the neuron a letter."""
    if told_backward(d):
        return story_blanks(d, fade, spec_words)
    steps = steps_of(d)
    check_fade(fade, len(steps))
    _, tex = printers(d.network.notation, d.network.layers)
    out = []
    for number, step in enumerate(steps, start=1):
        if number <= len(steps) - fade:
            continue
        answer = step.sum_form
        answer_tex = tex.doprint(answer)
        lhs = rf"\frac{{\partial {tex.doprint(step.chains[0].factors[0].of)}}}{{\partial {tex.doprint(step.symbol)}}}"
        wrt: str | None = None
        if step.free is None:  # one quantity: named by --wrt, the claim its right-hand side
            name = tex.doprint(step.symbol)
            if d.network.ref(name) != step.target:  # the printed name must read back as this very quantity
                raise SpecError(f"the worksheet cannot name {name} so that verify reads it back")
            wrt, claim, typed = name, answer_tex, PLACEHOLDER
        else:  # told for each neuron: the derivative, its neuron a letter, leads the claim; verify checks each
            claim, typed = f"{lhs} = {answer_tex}", f"{lhs} = {PLACEHOLDER}"
        out.append(
            Blank(
                step=number,
                target=step.target,
                wrt=wrt,
                lhs=lhs,
                answer=answer,
                claim=claim,
                command=verify_command(spec_words, wrt, typed),
                key_command=verify_command(spec_words, wrt, claim),
            )
        )
    return tuple(out)


def error_answer(e: ErrorStep) -> sp.Expr:
    """What a layer's error is, as its step of the story gives it: BP1's cost's derivative times the activation's
    (at a softmax output, the sum over its outputs worked out), BP2's sum over the layer above times it."""
    if e.coupled:
        assert e.closed is not None
        return e.closed
    return sp.Mul(e.upstream, e.prime, evaluate=False) if not e.output else sp.Mul(e.cost, e.prime)


def story_equations(d: Derivation, told: Backward) -> list[tuple[sp.Expr, sp.Expr]]:
    """The story's steps as equations (what is worked out, what it is), in the preset's letters: Nielsen's errors
    delta; Goodfellow's running gradient g written by its entries, dJ/da_j^(k) (the book's nabla_a J), which is how
    verify reads it. A layer of one neuron is written at that neuron (``derive.backward``), as its quantities are
    printed: without an index."""
    steps = [(e.delta, error_answer(e)) for e in told.errors] + [told.gradient.target]
    if d.network.notation.story != "algorithm":
        return steps

    def entries(x: sp.Expr) -> sp.Expr:
        return x.replace(lambda q: isinstance(q, sp.Indexed) and q.base == DELTA, lambda q: Partial(C0, Z[q.indices]))

    return [(entries(lhs), entries(rhs)) for lhs, rhs in steps]


def story_blanks(d: Derivation, fade: int, spec_words: Sequence[str]) -> tuple[Blank, ...]:
    """The last ``fade`` steps of the backward story of ``d`` as blanks. A layer's error is told for each neuron
    j, so its claim leads with the error (``\\delta_j^{3} = ...``), which verify checks for every j; the last step,
    the derivative asked for, is named by --wrt and its claim is the right-hand side, in the errors."""
    told = backward(d)
    steps = story_equations(d, told)
    check_fade(fade, len(steps))
    _, tex = printers(d.network.notation, d.network.layers)
    out = []
    for number, (lhs, answer) in enumerate(steps, start=1):
        if number <= len(steps) - fade:
            continue
        lhs_tex, answer_tex = tex.doprint(lhs), tex.doprint(answer)
        wrt: str | None = None
        if number == len(steps):
            wrt = tex.doprint(d.symbol)
            if d.network.ref(wrt) != d.target:
                raise SpecError(f"the worksheet cannot name {wrt} so that verify reads it back")
            claim, typed, target = answer_tex, PLACEHOLDER, d.target
        else:
            claim, typed = f"{lhs_tex} = {answer_tex}", f"{lhs_tex} = {PLACEHOLDER}"
            target = Ref("z", told.errors[number - 1].layer, ())
        out.append(
            Blank(
                step=number,
                target=target,
                wrt=wrt,
                lhs=lhs_tex,
                answer=answer,
                claim=claim,
                command=verify_command(spec_words, wrt, typed),
                key_command=verify_command(spec_words, wrt, claim),
            )
        )
    return tuple(out)


def verify_command(spec_words: Sequence[str], wrt: str | None, claim: str) -> str:
    """The command line that checks ``claim`` for ``wrt`` (None: the claim's leading derivative says what it is
    about), quoted for a POSIX shell.

    >>> print(verify_command(["example:3b1b"], "w^{(L)}", "2 (a^{(L)} - y)"))
    symbackprop verify example:3b1b --wrt 'w^{(L)}' --claim '2 (a^{(L)} - y)'
    """
    about = ["--wrt", wrt] if wrt is not None else []
    return shlex.join(["symbackprop", "verify", *spec_words, *about, "--claim", claim])


def worksheet(
    d: Derivation,
    fade: int,
    spec_words: Sequence[str],
    key: bool = False,
    title: str | None = None,
    author: str | None = None,
) -> Worksheet:
    """The worksheet of ``d`` with its last ``fade`` steps blank (``key``: the answer key, blanks filled), with
    the proofs a LaTeX document of ``d`` states; ``title`` and ``author`` as given, else the spec's."""
    found = blanks(d, fade, spec_words)
    extras = d.network.spec.extras
    document = DerivationDocument(  # the steps and their proofs; a sheet states no numbers or training run
        d=d,
        verdicts=stated_proofs(d, "tex"),
        title=title if title is not None else str(extras.get("title", "")),
        author=author if author is not None else str(extras.get("author", "")),
    )
    return Worksheet(document=document, steps=step_count(d), blanks=found, key=key, story=told_backward(d))
