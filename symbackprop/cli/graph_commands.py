"""The commands on a graph spec (a TOML file with a [graph] table): derive, evaluate, verify, gradcheck and
codegen, as the network commands do on a network.

``evaluate GRAPH --json`` prints {"values": {name: number}, "gradients": {name: number}}: the forward value of
every node and leaf, and the derivative of the output with respect to each.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..base.errors import SpecError
from ..base.stages import stage
from ..codegen.graph_modules import graph_module_source
from ..codegen.layer_modules import stack_module_source
from ..derive.graph_backprop import derive_graph
from ..documents import graph_document
from ..model.graph_spec import GraphSpec
from ..model.layers.layer_graph import ArrayStack, LayeredSpec
from ..numeric.claimed_numbers import WRONG
from ..numeric.graph_check import graph_gradcheck
from ..numeric.graph_claims import check_graph_numbers
from ..numeric.graph_numbers import graph_numbers
from ..render import render_graph, render_numbers
from ..render.graph_document import number
from ..render.graph_verdict import render_graph_report
from ..render.html import graph_report_html
from ..render.layer_verdict import render_layer_report
from ..verify.graph_claims import verify_graph_claim
from ..verify.layer_claims import verify_layer_claim
from .document_output import check_document_options, deliver, verify_format
from .inputs import EVALUATED_NODES
from .layer_output import array_numbers, layered_numbers
from .terminal import EXIT_FAILED, EXIT_OK, emit, gradcheck_report


def derive(args: argparse.Namespace, spec: GraphSpec, inputs: tuple[Path, ...]) -> int:
    fmt = "json" if args.json else args.to
    if args.wrt2 is not None:
        raise SpecError("--wrt2 is for a network's second derivative; a graph's derivation is of its output")
    if args.steps is not None:
        raise SpecError("--steps trains a layered network; a graph (or a network with skip or tie) is not trained")
    check_document_options(args, fmt, {"title": spec.graph.title, "author": spec.author})
    wrt = args.wrt.strip()
    stage("deriving")
    d = derive_graph(spec.graph, None if wrt == "all" else wrt)
    document = graph_document(d, spec, args.title, args.author)
    source = render_graph(document, "tex" if fmt == "pdf" else fmt, args.templates)
    deliver(source, fmt, args.output, inputs)
    return EXIT_OK if document.proof.proven else EXIT_FAILED


def evaluate(args: argparse.Namespace, spec: GraphSpec, inputs: tuple[Path, ...]) -> int:
    stage("computing the forward and backward pass")
    numbers = graph_numbers(derive_graph(spec.graph, None))
    if isinstance(spec, LayeredSpec):
        emit(layered_numbers(spec, numbers, args.json), args.output, inputs)
        return EXIT_OK
    if args.json:
        text = json.dumps(numbers.as_data(), indent=2) + "\n"
    else:
        width = max(len(name) for name in numbers.values)
        lines = [f"{spec.graph.output} = {number(numbers.values[spec.graph.output])}", ""]
        lines.append(f"  {'name'.ljust(width)}  {'value':>14}  {'d' + spec.graph.output + '/dname':>14}")
        lines += [
            f"  {name.ljust(width)}  {number(numbers.values[name]):>14}  {number(numbers.gradients[name]):>14}"
            for name in spec.graph.names
        ]
        text = "\n".join(lines) + "\n"
    emit(text, args.output, inputs)
    return EXIT_OK


def verify(args: argparse.Namespace, spec: GraphSpec, inputs: tuple[Path, ...], claim: str | None) -> int:
    fmt = verify_format(args, claim)
    if claim is None:
        if args.wrt is not None:
            raise SpecError("--wrt goes with --claim; without a claim, verify checks the spec's [claims] numbers")
        if not spec.claims:
            raise SpecError("this graph has no [claims] tables: give --claim, or add [claims.values] and the rest")
        stage("checking the claimed numbers")
        checks = check_graph_numbers(spec)
        emit(render_numbers(checks, fmt), args.output, inputs)
        return EXIT_FAILED if any(c.verdict == WRONG for c in checks) else EXIT_OK
    if isinstance(spec, LayeredSpec) and args.wrt is None:
        stage("checking the claim")
        layered = verify_layer_claim(spec, claim)
        if layered is not None:
            emit(render_layer_report(layered, fmt), args.output, inputs, layered.exit_status)
            return layered.exit_status
    report = verify_graph_claim(spec.graph, claim, args.wrt, spec.names)
    page = (
        graph_report_html(report) if fmt == "html" else render_graph_report(report, "json" if fmt == "json" else "text")
    )
    emit(page, args.output, inputs, report.exit_status)
    return report.exit_status


def gradcheck(args: argparse.Namespace, spec: GraphSpec) -> int:
    stage("deriving every gradient")
    result = graph_gradcheck(spec.graph, seed=args.seed if args.random or spec.graph.values is None else None)
    return gradcheck_report(result, args.json, "the backward pass")


def codegen(args: argparse.Namespace, spec: GraphSpec, inputs: tuple[Path, ...]) -> int:
    stage("generating the code")
    emit(graph_module_source(spec.graph, args.backend), args.output, inputs)
    return EXIT_OK


def evaluate_arrays(args: argparse.Namespace, arrays: ArrayStack, inputs: tuple[Path, ...]) -> int:
    """A layer stack too large to derive, computed by its generated vectorised module."""
    stage("computing the forward and backward pass with whole arrays")
    emit(array_numbers(arrays, args.json, EVALUATED_NODES), args.output, inputs)
    return EXIT_OK


def codegen_arrays(args: argparse.Namespace, arrays: ArrayStack, inputs: tuple[Path, ...]) -> int:
    """A layer stack's vectorised NumPy, PyTorch or JAX module."""
    stage("generating the code")
    emit(stack_module_source(arrays.stack, args.backend), args.output, inputs)
    return EXIT_OK
