"""The commands: derive, evaluate, verify, codegen, gradcheck and grade, each calling the stages that do the work and
writing what they give."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..base.errors import SpecError
from ..base.stages import stage
from ..derive import bounds
from ..derive.derivation import derive
from ..derive.general_form import general_form, general_kind
from ..documents import all_document, derivation_document, general_document
from ..model.network import Network
from ..model.training import read_training
from ..prove.element import all_proofs
from ..prove.forms import prove_general_form, stated_proofs
from ..render import SecondDocument, render, render_all, render_general, render_numbers, render_report, render_second
from .document_output import check_document_options, deliver, verify_format
from .inputs import claim_text, load_graph, load_spec, load_stack
from .terminal import EXIT_FAILED, EXIT_OK, emit, gradcheck_report, one_line, quiet, step, write_stdout

# What only some commands use is imported in them, so that a derivation, the command run most, starts without
# the claim reader, the grader's process pool, the code generator and the graph commands (issue 20).


def cmd_derive(args: argparse.Namespace) -> int:
    if (graph := load_graph(args)) is not None:
        from . import graph_commands

        return graph_commands.derive(args, *graph)
    net, inputs = load_spec(args)
    fmt = "json" if args.json else args.to
    check_document_options(args, fmt, net.spec.extras)
    options = {"title": args.title, "author": args.author}
    if args.steps is not None and (args.wrt2 is not None or general_kind(args.wrt)):
        raise SpecError("--steps adds a training run to a worked example: --wrt one weight or bias, or all")
    steps = None if args.steps is None else read_training({}, args.steps).steps
    if steps is not None and net.spec.values is None:
        raise SpecError("--steps trains the spec's [values], and this spec has none (evaluate --steps draws some)")
    if steps is not None and fmt == "json":
        raise SpecError("--steps adds the run to a document; for its numbers as JSON use evaluate --steps N --json")
    if args.wrt2 is not None:
        return _second(net, args, fmt, inputs)
    if args.wrt.strip() == "all":
        if fmt not in ("tex", "pdf", "html"):
            raise SpecError("--wrt all makes a LaTeX document or a web page: add --to tex, --to pdf or --to html")
        stage("deriving every weight and bias")
        bounds.check_all(net)
        stage("proving every weight and bias")
        proofs = all_proofs(net, bounds.all_elements(net), step)
        every = all_document(net, proofs, **options, steps=steps)
        source = render_all(every, args.templates, "html" if fmt == "html" else "tex")
        proven = all(proofs.values())
    elif (kind := general_kind(args.wrt)) is not None:
        source, proven = _general(net, kind, "tex" if fmt == "pdf" else fmt, options)
    else:
        ref = net.ref(args.wrt)
        stage("deriving")
        bounds.check_element(net, ref, args.wrt, fmt)
        d = derive(net, ref)
        verdicts = stated_proofs(d, fmt)
        spot = True if args.templates is not None else None  # a user's template may state it in any format
        document = derivation_document(d, fmt, verdicts, **options, steps=steps, spot=spot)
        source, proven = render(document, "tex" if fmt == "pdf" else fmt, args.templates), bool(verdicts)
    deliver(source, fmt, args.output, inputs)
    return EXIT_OK if proven else EXIT_FAILED


def _second(net: Network, args: argparse.Namespace, fmt: str, inputs: tuple[Path, ...]) -> int:
    """d^2 C_0/(dw dw'): worked by the chain rule, proven against the composed cost's second derivative."""
    from ..derive.second import derive_second
    from ..prove.second import check as check_second

    if fmt not in ("text", "json"):
        raise SpecError("a second derivative comes as text or json")
    first, second = net.ref(args.wrt), net.ref(args.wrt2)
    stage("deriving the second derivative")
    bounds.check_second(net, first, second, args.wrt)
    d2 = derive_second(net, first, second)
    stage("proving the second derivative")
    proof = check_second(d2)
    emit(render_second(SecondDocument(d2, proof), fmt), args.output, inputs)
    return EXIT_OK if proof else EXIT_FAILED


def _general(net: Network, kind: str, fmt: str, options: dict[str, Any]) -> tuple[str, bool]:
    """The general form for ``kind``, proven on a copy of this network with a layer of each kind."""
    if kind == "b" and net.spec.bias == "none":
        raise SpecError('this network has no biases (bias = "none")')
    stage("proving the general form")
    proof = prove_general_form(net)
    return render_general(general_document(general_form(net, kind), proof, **options), fmt), bool(proof)


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        return _verify(args)
    except SpecError as err:  # with --json, the error is JSON on stdout too; main still writes its one line
        if args.json:
            write_stdout(json.dumps({"error": one_line(str(err))}, ensure_ascii=False) + "\n")
        raise


def _verify(args: argparse.Namespace) -> int:
    from ..numeric.claimed_numbers import WRONG, check_numbers
    from ..render.html import report_html
    from ..render.verdict import error_place
    from ..verify.claims import verify_claim
    from . import graph_commands

    if (graph := load_graph(args)) is not None:
        return graph_commands.verify(args, *graph, claim_text(args))
    net, inputs = load_spec(args)
    claim = claim_text(args)
    fmt = verify_format(args, claim)
    if claim is None:
        if args.wrt is not None:
            raise SpecError("--wrt goes with --claim; without a claim, verify checks the spec's [claims] numbers")
        stage("checking the claimed numbers")
        checks = check_numbers(net)
        emit(render_numbers(checks, fmt), args.output, inputs)
        return EXIT_FAILED if any(c.verdict == WRONG for c in checks) else EXIT_OK
    bounds.check_claim(net)
    report = verify_claim(net, claim, args.wrt)
    emit(report_html(report) if fmt == "html" else render_report(report, fmt), args.output, inputs, report.exit_status)
    quiet()
    if report.verdict == "unparseable":  # the report is the answer; stderr still says why in one line
        where = f" at {error_place(report.claim, report.position)}" if report.position is not None else ""
        what = "" if report.undecided else f"the claim cannot be read{where}: "
        sys.stderr.write(f"symbackprop verify: error: {what}{one_line(report.error)}\n")
    return report.exit_status


def cmd_codegen(args: argparse.Namespace) -> int:
    from . import graph_commands

    if (arrays := load_stack(args)) is not None:
        return graph_commands.codegen_arrays(args, *arrays)
    if (graph := load_graph(args)) is not None:
        return graph_commands.codegen(args, *graph)
    net, inputs = load_spec(args)
    stage("loading the code generator")  # SymPy's PyTorch printer imports torch, where it is installed
    from ..codegen.modules import module_source

    emit(module_source(net, args.backend), args.output, inputs)
    return EXIT_OK


def cmd_gradcheck(args: argparse.Namespace) -> int:
    from ..numeric import numbers as numeric
    from . import graph_commands

    if (graph := load_graph(args)) is not None:
        return graph_commands.gradcheck(args, graph[0])
    net, _ = load_spec(args)
    stage("deriving every gradient")
    bounds.check_numeric(net, "gradcheck")
    values = numeric.random_values(net, seed=args.seed) if args.random or net.spec.values is None else None
    return gradcheck_report(numeric.gradcheck(net, values), args.json, "lambdified")


def cmd_grade(args: argparse.Namespace) -> int:
    """A class graded: the table and the report in --out, and a line on stderr saying what was done."""
    from ..api.grading import OUTPUTS, grade

    stage("reading the questions and answers")

    def progress(done: int, total: int) -> None:
        stage(f"grading: {done} of {total} answers")

    graded = grade(
        args.questions,
        args.answers,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        answer_seconds=args.answer_time_limit,
        progress=progress,
    )
    quiet()
    for warning in graded.warnings:
        sys.stderr.write(f"symbackprop grade: warning: {one_line(warning)}\n")
    counts = {v: sum(g.verdict == v for g in graded.grades) for v in ("correct", "incorrect", "unreadable")}
    reused = f" ({graded.reused} already graded, from the journal)" if graded.reused else ""
    written = ", ".join(str(args.out / name) for name in OUTPUTS)
    sys.stderr.write(
        f"symbackprop grade: {len(graded.grades)} answers{reused}: {counts['correct']} correct, "
        f"{counts['incorrect']} incorrect, {counts['unreadable']} unreadable; wrote {one_line(written)}\n"
    )
    return EXIT_OK


def _imported(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A command kept in a module of its own, imported when it runs."""

    def run(args: argparse.Namespace) -> int:
        command: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module, __package__), name)
        return command(args)

    return run


COMMANDS = {
    "derive": cmd_derive,
    "evaluate": _imported(".evaluate_command", "cmd_evaluate"),
    "verify": cmd_verify,
    "codegen": cmd_codegen,
    "gradcheck": cmd_gradcheck,
    "grade": cmd_grade,
    "worksheet": _imported(".worksheet_command", "cmd_worksheet"),
}
