"""What every derive command does around its document, a network's or a graph's: the options checked before any
work (a --templates folder, -o for a PDF, a title or author the fonts can print), and the finished source
written out, compiled to a PDF first when that is asked for."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from ..base.errors import SpecError
from ..base.output import write_atomically
from ..base.stages import stage
from ..render.escape import untypesettable
from .terminal import emit, quiet


def check_document_options(args: argparse.Namespace, fmt: str, spec_text: Mapping[str, object]) -> None:
    """Refuse, before any work, a --templates that is not a folder, a PDF without -o, and a title or author
    (given with --title/--author or by the spec, ``spec_text``) holding a character the fonts cannot print,
    naming the character and where it came from."""
    if args.templates is not None and not args.templates.is_dir():
        raise SpecError(f"--templates: {args.templates} is not a directory")
    if fmt == "pdf" and args.output is None:
        raise SpecError("--to pdf needs -o FILE.pdf")
    if fmt not in ("tex", "pdf"):
        return
    for key in ("title", "author"):
        given = getattr(args, key)
        text, where = (given, f"--{key}") if given is not None else (spec_text.get(key), f"{args.spec}: {key}")
        bad = untypesettable(text) if isinstance(text, str) else None
        if bad is not None:
            raise SpecError(
                f"{where}: the character {bad} cannot be printed in a LaTeX or PDF document, whose fonts have "
                "Latin letters, Greek letters as math and common signs; leave it out or write it in Latin letters"
            )


def deliver(source: str, fmt: str, output: Path | None, inputs: tuple[Path, ...]) -> None:
    """The document to -o or standard output; for a PDF, the LaTeX ``source`` compiled first."""
    if fmt == "pdf":
        from ..render.latex_build import build_pdf  # here: a document to text or LaTeX starts without it

        stage("compiling the PDF")
        assert output is not None  # check_document_options refused a PDF without -o
        pdf = build_pdf(source)
        quiet()
        write_atomically(output, pdf, inputs)
    else:
        emit(source, output, inputs)


def verify_format(args: argparse.Namespace, claim: str | None) -> str:
    """What verify writes: --json, else --to (or -o's ending); the numbers of a [claims] table come as text or
    JSON only, so a web page needs --claim, and a .md file for them holds the text table as it always has."""
    fmt = "json" if args.json else args.to
    if claim is None and fmt == "html":
        raise SpecError(
            "verify --to html is the page of a verdict on a claim: give --claim ([claims] numbers come as text)"
        )
    return fmt if claim is not None or fmt == "json" else "text"
