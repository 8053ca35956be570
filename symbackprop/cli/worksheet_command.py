"""The worksheet command: a derivation's last steps left blank for the student, as LaTeX, a PDF or a web page,
or its answer key (--key)."""

from __future__ import annotations

import argparse

from ..base.errors import SpecError
from ..base.stages import stage
from ..derive import bounds
from ..derive.derivation import derive
from ..render.worksheet import worksheet_html, worksheet_tex
from ..worksheets import check_fade, step_count, worksheet
from .document_output import check_document_options, deliver
from .inputs import load_graph, load_spec
from .terminal import EXIT_FAILED, EXIT_OK

SPEC_FLAGS = ("layers", "activation", "cost", "bias", "index_base", "notation")


def cmd_worksheet(args: argparse.Namespace) -> int:
    fmt = args.to
    if fmt not in ("tex", "pdf", "html"):
        raise SpecError("worksheet writes LaTeX, a PDF or a web page: give -o sheet.pdf (or .tex, .html) or --to")
    if load_graph(args) is not None:
        raise SpecError("worksheet works on a layered network; a graph spec has no steps of this kind (use derive)")
    net, inputs = load_spec(args)
    check_document_options(args, fmt, net.spec.extras)
    ref = net.ref(args.wrt)
    bounds.check_element(net, ref, args.wrt, "tex")
    stage("deriving")
    d = derive(net, ref)
    check_fade(args.fade, step_count(d))
    stage("proving")
    sheet = worksheet(d, args.fade, spec_words(args), args.key, args.title, args.author)
    source = worksheet_html(sheet, args.templates) if fmt == "html" else worksheet_tex(sheet, args.templates)
    deliver(source, fmt, args.output, inputs)
    return EXIT_OK if sheet.document.verdicts else EXIT_FAILED


def spec_words(args: argparse.Namespace) -> list[str]:
    """The spec as the student names it to verify: the SPEC argument, or the flags that gave it."""
    if args.spec is not None:
        return [args.spec]
    words = []
    for key in SPEC_FLAGS:
        value = getattr(args, key)
        if value is not None:
            words += [f"--{key.replace('_', '-')}", str(value)]
    return words
