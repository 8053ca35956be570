"""The command line's arguments: each command, its options, its examples, and the output format a -o name implies.
A usage error is one line and exit status 2."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import NoReturn

from ..base import bounded
from ..base.errors import SpecError
from ..base.output import is_stdout, shown
from ..base.resources import example_names
from .terminal import EXIT_BAD_INPUT, one_line

EPILOG_WORKSHEET = """examples:
  symbackprop worksheet example:3b1b --wrt 'w^{(L-2)}' --fade 2 -o sheet.pdf
  symbackprop worksheet example:3b1b --wrt 'w^{(L-2)}' --fade 2 --key -o key.pdf   (the answer key)
  symbackprop worksheet example:mazur --wrt 'w_{11}^{(1)}' --fade 1 -o sheet.html   (a web page)"""

EPILOG_DERIVE = """examples:
  symbackprop derive example:3b1b --wrt 'w^{(L)}'
  symbackprop derive example:deeplizard --wrt 'w_{22}^{(L-1)}' --to pdf -o derivation.pdf
  symbackprop derive example:worked --wrt all --to tex -o all.tex
  symbackprop derive example:mazur --wrt 'w_{11}^{(1)}' -o page.html   (a web page)
  symbackprop derive example:deeplizard --wrt 'w_{12}^{(L)}'
  symbackprop derive net.toml --wrt 'a_{2}^{(L-1)}' --json
  symbackprop derive --layers 2,3,2 --activation sigmoid --cost sse --wrt 'w_{1,2}^{(L-1)}'"""
EPILOG_EVALUATE = """examples:
  symbackprop evaluate example:worked
  symbackprop evaluate net.toml --json
  symbackprop evaluate example:mazur --steps 10000     (a training run: the cost at each step)"""
EPILOG_VERIFY = """examples:
  symbackprop verify example:deeplizard --wrt 'w_{12}^{(L)}' \\
      --claim "2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}"
  symbackprop verify example:3b1b \\
      --claim "\\frac{\\partial C_0}{\\partial w^{(L)}} = a^{(L-1)} \\sigma'(z^{(L)}) 2(a^{(L)} - y)"
  symbackprop verify example:mazur            (every number the worked example printed)
  symbackprop verify --layers 2,3 --activation softmax --cost cross_entropy --targets one-hot \\
      --claim "\\frac{\\partial C_0}{\\partial z_j^{(L)}} = a_j^{(L)} - y_j"
  symbackprop verify example:3b1b --wrt 'w^{(L)}' --claim "a^{(L-1)}" -o verdict.html
  symbackprop verify net.toml --json"""
EPILOG_CODEGEN = """examples:
  symbackprop codegen example:worked -o grad.py
  symbackprop codegen --layers 784,128,64,10 --activation sigmoid --cost sse -o mnist_grad.py
  symbackprop codegen example:worked --backend torch -o grad_torch.py   (PyTorch tensors instead)"""
EPILOG_GRADE = """examples:
  symbackprop grade questions.toml answers.csv --out grades/
  symbackprop grade questions.toml answers.jsonl --out grades/ --workers 4
  symbackprop grade questions.toml answers.csv --out grades/ --scheduler tcp://10.0.0.5:8786   (on a Dask cluster)
A rerun with the same --out grades only the answers its journal lacks."""
EPILOG_GRADCHECK = """examples:
  symbackprop gradcheck example:worked
  symbackprop gradcheck --layers 3,4,2 --activation tanh,softmax --cost cross_entropy"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {one_line(message)} (see --help)\n")
        sys.exit(EXIT_BAD_INPUT)


def _spec_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "spec", nargs="?", metavar="SPEC", help=f"a TOML spec file, or example:NAME ({', '.join(example_names())})"
    )
    flags = parser.add_argument_group("a spec given as flags instead of a file")
    flags.add_argument("--layers", help="neurons per layer, input first, e.g. 2,3,2")
    flags.add_argument("--activation", help="one name, or one per layer after the input, comma-separated")
    flags.add_argument("--cost", help="sse, half_sse, mse, cross_entropy, binary_cross_entropy")
    flags.add_argument("--bias", help="neuron, layer or none")
    flags.add_argument("--index-base", type=int, choices=(0, 1), help="number neurons from 0 or from 1")
    flags.add_argument("--notation", help="3b1b, deeplizard, goodfellow, nielsen, or a preset .toml file")
    limits = parser.add_argument_group("limits (see docs/limits.md)")
    limits.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help=f"stop the command after this long (default {bounded.DEFAULT_SECONDS:g}, or ${bounded.TIME_ENV})",
    )
    limits.add_argument(
        "--memory-limit",
        type=int,
        metavar="MIB",
        help=f"the memory the command may use (default {bounded.DEFAULT_MEMORY_MIB}, or ${bounded.MEMORY_ENV})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symbackprop", description="Derive backpropagation symbolically, prove it, and compute it.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    fmt = argparse.RawDescriptionHelpFormatter

    derive = commands.add_parser(
        "derive", help="the chain-rule derivation of dC_0 for one quantity", epilog=EPILOG_DERIVE, formatter_class=fmt
    )
    _spec_arguments(derive)
    derive.add_argument(
        "--wrt",
        required=True,
        metavar="REF",
        help="the quantity, e.g. 'w_{12}^{(L)}', 'b_1^(L-1)', or all",
    )
    derive.add_argument(
        "--to",
        choices=("text", "json", "md", "tex", "tex-body", "pdf", "html"),
        help="output (default: from -o's ending, .pdf .tex .md .json .html, else text)",
    )
    derive.add_argument(
        "--wrt2",
        metavar="REF2",
        help="a second weight or bias: the second derivative d^2 C_0/(d REF d REF2) (text, json)",
    )
    derive.add_argument(
        "--steps", type=int, metavar="N", help="add the training run: N steps (the spec's [training], or plain descent)"
    )
    derive.add_argument("--title", help="the document's title (tex and pdf)")
    derive.add_argument("--author", help="the document's author (tex and pdf)")
    derive.add_argument("--json", action="store_true", help="the same as --to json")
    derive.add_argument("-o", "--output", type=output_path, help="write to this file instead of standard output")
    derive.add_argument("--templates", type=Path, metavar="DIR", help="use your own templates from DIR first")

    worksheet = commands.add_parser(
        "worksheet",
        help="a worked example with its last K steps left blank for the student, each checked by verify",
        epilog=EPILOG_WORKSHEET,
        formatter_class=fmt,
    )
    _spec_arguments(worksheet)
    worksheet.add_argument("--wrt", required=True, metavar="REF", help="the quantity, e.g. 'w^{(L-1)}'")
    worksheet.add_argument(
        "--fade", required=True, type=int, metavar="K", help="leave the last K steps blank (0 up to the step count)"
    )
    worksheet.add_argument("--key", action="store_true", help="write the answer key: the blanks filled and checked")
    worksheet.add_argument(
        "--to", choices=("tex", "pdf", "html"), help="output (default: from -o's ending, .pdf .tex .html)"
    )
    worksheet.add_argument("--title", help="the sheet's title")
    worksheet.add_argument("--author", help="the sheet's author")
    worksheet.add_argument("-o", "--output", type=output_path, help="write to this file instead of standard output")
    worksheet.add_argument("--templates", type=Path, metavar="DIR", help="use your own templates from DIR first")
    worksheet.set_defaults(json=False)

    evaluate = commands.add_parser(
        "evaluate",
        help="forward pass, cost, gradient and one descent step",
        epilog=EPILOG_EVALUATE,
        formatter_class=fmt,
    )
    _spec_arguments(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print the numbers as JSON")
    evaluate.add_argument(
        "--steps", type=int, metavar="N", help="train for N steps (the spec's [training], or plain gradient descent)"
    )
    evaluate.add_argument("--learning-rate", type=rate, metavar="ETA", help="the learning rate (instead of the spec's)")
    evaluate.add_argument("--seed", type=seed, default=0, help="seed for values drawn where the spec gives none (0)")
    evaluate.add_argument("-o", "--output", type=output_path, help="write to this file instead of standard output")

    verify = commands.add_parser(
        "verify",
        help="check a claimed formula (--claim), or the numbers in the spec's [claims] table",
        epilog=EPILOG_VERIFY,
        formatter_class=fmt,
    )
    _spec_arguments(verify)
    verify.add_argument(
        "--targets",
        metavar="ASSUMPTION",
        help="what the targets are, with a SPEC file or the flags: one-hot, or sum-to-one (each sample's sum to 1)",
    )
    verify.add_argument("--wrt", metavar="REF", help="the derivative claimed, e.g. 'w_{12}^{(L)}'")
    verify.add_argument("--claim", metavar="LATEX", help="the claimed formula, in LaTeX")
    verify.add_argument("--claim-file", type=Path, metavar="FILE", help="read the claimed formula from FILE")
    verify.add_argument("--json", action="store_true", help="the verdict as JSON")
    verify.add_argument(
        "--to",
        choices=("text", "json", "md", "html"),
        help="output (default: from -o's ending, .json .md .html, else text); html needs --claim",
    )
    verify.add_argument("-o", "--output", type=output_path, help="write to this file instead of standard output")

    codegen = commands.add_parser(
        "codegen",
        help="write the gradient as a plain NumPy (or JAX, PyTorch) module, generated from the matrix form",
        epilog=EPILOG_CODEGEN,
        formatter_class=fmt,
    )
    _spec_arguments(codegen)
    codegen.add_argument(
        "--backend", choices=("numpy", "jax", "torch"), default="numpy", help="the array library the code uses"
    )
    codegen.add_argument("-o", "--output", type=output_path, help="write to this file instead of standard output")

    gradcheck = commands.add_parser(
        "gradcheck",
        help="compare every gradient with central finite differences",
        epilog=EPILOG_GRADCHECK,
        formatter_class=fmt,
    )
    _grade_arguments(
        commands.add_parser(
            "grade",
            help="grade a class: every answer (a formula or a working) checked line by line, scored, and reported",
            epilog=EPILOG_GRADE,
            formatter_class=fmt,
        )
    )
    _spec_arguments(gradcheck)
    gradcheck.add_argument("--random", action="store_true", help="check at random values even when the spec has values")
    gradcheck.add_argument("--seed", type=seed, default=0, help="seed for the random values (default 0)")
    gradcheck.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _grade_arguments(grade: argparse.ArgumentParser) -> None:
    grade.add_argument(
        "questions", metavar="QUESTIONS", type=Path, help="the question file (TOML: [[question]] tables)"
    )
    grade.add_argument(
        "answers", metavar="ANSWERS", type=Path, help="the answers: CSV with student,question,answer, or JSON Lines"
    )
    grade.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="the folder for grades.csv, grades.json, report.html"
    )
    grade.add_argument("--workers", type=workers, metavar="N", help="processes to grade in (default: every core)")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="grade on the Dask cluster whose scheduler is here")
    grade.add_argument(
        "--answer-time-limit",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="the time one answer may take to check; past it, it is unreadable (default 60)",
    )
    limits = grade.add_argument_group("limits (see docs/limits.md)")
    limits.add_argument("--time-limit", type=float, metavar="SECONDS", help="stop the whole command after this long")
    limits.add_argument("--memory-limit", type=int, metavar="MIB", help="the memory each process may use")


def workers(text: str) -> int:
    """A --workers: a whole number from 1."""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text[:6]) <= 1024:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 1024, got {shown(text)}")
    return int(text)


def seed(text: str) -> int:
    """A --seed: a whole number from 0 (NumPy's generators take no negative seed)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 30:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0, got {shown(text)}")
    return int(text)


def rate(text: str) -> float:
    """A --learning-rate: a finite number above 0, as the spec's learning_rate."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {shown(text)}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"a gradient-descent step needs a finite rate above 0, got {shown(text)}")
    return value


def output_path(text: str) -> Path:
    """An -o argument: ``-`` is standard output; a path that names a directory (``out/``) is refused here,
    while its trailing slash can still be seen (Path drops it)."""
    if not text:
        raise argparse.ArgumentTypeError("an empty file name")
    if text != "-" and text.rsplit("/", 1)[-1] in ("", "."):
        raise argparse.ArgumentTypeError(f"{shown(text)} names a directory (it ends in / or /.); give a file name")
    return Path(text)


SUFFIX_FORMATS = {".pdf": "pdf", ".tex": "tex", ".md": "md", ".json": "json", ".html": "html"}


def formats_from_output(args: argparse.Namespace) -> None:
    """The output's format where -o's name says it and no option does (out.pdf, out.json); a name that says
    PDF for output that is not one is refused before any work, since that file would not open."""
    output: Path | None = getattr(args, "output", None)
    suffix = output.suffix.lower() if output is not None and not is_stdout(output) else ""
    named = SUFFIX_FORMATS.get(suffix)
    name = output.name if output is not None else ""  # a refusal below needs a named format, hence an output
    if hasattr(args, "to") and args.command == "verify":  # a verdict: text, json, md or html, never a PDF
        if named == "pdf":
            raise SpecError(f"-o {name} names a PDF, but verify writes text; name the file otherwise")
        if args.to is None:
            args.to = named if named in ("json", "md", "html") else "text"
        args.json = args.json or args.to == "json"  # --to json is --json: an error then comes as JSON too
    elif hasattr(args, "to"):
        if args.to is None:
            args.to = named if named is not None else "text"
        wanted = "json" if args.json else args.to
        if named == "pdf" and wanted != "pdf":
            raise SpecError(f"-o {name} names a PDF, but the output is {wanted}: give --to pdf, or another name")
        if wanted == "pdf" and named not in (None, "pdf"):
            raise SpecError(f"-o {name} names a {suffix} file, but --to pdf writes a PDF: name it .pdf")
    elif named == "json" and hasattr(args, "json"):
        args.json = True
    elif named == "pdf":
        raise SpecError(f"-o {name} names a PDF, but {args.command} writes text; name the file otherwise")
