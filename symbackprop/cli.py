"""The command line: derive, evaluate, gradcheck. Bad input is one line on stderr and exit 2."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NoReturn

import jinja2
import numpy as np

from .base import bounded
from .base.errors import SpecError
from .base.output import is_stdout, read_regular_file, shown, sweep_temporaries, write_atomically
from .base.progress import Progress
from .base.resources import example_names, example_path, templates_dir
from .base.stages import listening, stage
from .derive import bounds
from .derive.derivation import derive
from .derive.general_form import general_form, general_kind
from .documents import all_document, derivation_document, general_document
from .model import spec as specs
from .model.network import Network
from .numeric import numbers as numeric
from .numeric.claimed_numbers import WRONG, check_numbers
from .prove.element import all_proofs
from .prove.forms import prove_general_form, stated_proofs
from .render import (
    SecondDocument,
    latex_build,
    render,
    render_all,
    render_general,
    render_numbers,
    render_report,
    render_second,
)
from .render.escape import untypesettable
from .render.verdict import error_place
from .verify.claims import verify_claim

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
MAX_CLAIM_BYTES = 1 << 20  # a claim is one formula; a megabyte is far more than any
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, bounded.TIME_LIMIT_SIGNAL)  # the last: the parent says time is up
PROGRESS_AFTER = 1.0  # seconds of work before a terminal sees a progress line

EPILOG_DERIVE = """examples:
  symbackprop derive example:3b1b --wrt 'w^{(L)}'
  symbackprop derive example:deeplizard --wrt 'w_{22}^{(L-1)}' --to pdf -o derivation.pdf
  symbackprop derive example:worked --wrt all --to tex -o all.tex
  symbackprop derive example:deeplizard --wrt 'w_{12}^{(L)}'
  symbackprop derive net.toml --wrt 'a_{2}^{(L-1)}' --json
  symbackprop derive --layers 2,3,2 --activation sigmoid --cost sse --wrt 'w_{1,2}^{(L-1)}'"""
EPILOG_EVALUATE = """examples:
  symbackprop evaluate example:worked
  symbackprop evaluate net.toml --json"""
EPILOG_VERIFY = """examples:
  symbackprop verify example:deeplizard --wrt 'w_{12}^{(L)}' \\
      --claim "2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}"
  symbackprop verify example:3b1b \\
      --claim "\\frac{\\partial C_0}{\\partial w^{(L)}} = a^{(L-1)} \\sigma'(z^{(L)}) 2(a^{(L)} - y)"
  symbackprop verify example:mazur            (every number the worked example printed)
  symbackprop verify net.toml --json"""
EPILOG_CODEGEN = """examples:
  symbackprop codegen example:worked -o grad.py
  symbackprop codegen --layers 784,128,64,10 --activation sigmoid --cost sse -o mnist_grad.py
  symbackprop codegen example:worked --backend torch -o grad_torch.py   (PyTorch tensors instead)"""
EPILOG_GRADCHECK = """examples:
  symbackprop gradcheck example:worked
  symbackprop gradcheck --layers 3,4,2 --activation tanh,softmax --cost cross_entropy"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {_one_line(message)} (see --help)\n")
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
    flags.add_argument("--notation", help="3b1b, deeplizard, nielsen, or a preset .toml file")
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
        choices=("text", "json", "md", "tex", "tex-body", "pdf"),
        help="output (default: from -o's ending, .pdf .tex .md .json, else text)",
    )
    derive.add_argument(
        "--wrt2",
        metavar="REF2",
        help="a second weight or bias: the second derivative d^2 C_0/(d REF d REF2) (text, json)",
    )
    derive.add_argument("--title", help="the document's title (tex and pdf)")
    derive.add_argument("--author", help="the document's author (tex and pdf)")
    derive.add_argument("--json", action="store_true", help="the same as --to json")
    derive.add_argument("-o", "--output", type=_output_path, help="write to this file instead of standard output")
    derive.add_argument("--templates", type=Path, metavar="DIR", help="use your own templates from DIR first")

    evaluate = commands.add_parser(
        "evaluate",
        help="forward pass, cost, gradient and one descent step",
        epilog=EPILOG_EVALUATE,
        formatter_class=fmt,
    )
    _spec_arguments(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print the numbers as JSON")
    evaluate.add_argument("-o", "--output", type=_output_path, help="write to this file instead of standard output")

    verify = commands.add_parser(
        "verify",
        help="check a claimed formula (--claim), or the numbers in the spec's [claims] table",
        epilog=EPILOG_VERIFY,
        formatter_class=fmt,
    )
    _spec_arguments(verify)
    verify.add_argument("--wrt", metavar="REF", help="the derivative claimed, e.g. 'w_{12}^{(L)}'")
    verify.add_argument("--claim", metavar="LATEX", help="the claimed formula, in LaTeX")
    verify.add_argument("--claim-file", type=Path, metavar="FILE", help="read the claimed formula from FILE")
    verify.add_argument("--json", action="store_true", help="the verdict as JSON")
    verify.add_argument("-o", "--output", type=_output_path, help="write to this file instead of standard output")

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
    codegen.add_argument("-o", "--output", type=_output_path, help="write to this file instead of standard output")

    gradcheck = commands.add_parser(
        "gradcheck",
        help="compare every gradient with central finite differences",
        epilog=EPILOG_GRADCHECK,
        formatter_class=fmt,
    )
    _spec_arguments(gradcheck)
    gradcheck.add_argument("--random", action="store_true", help="check at random values even when the spec has values")
    gradcheck.add_argument("--seed", type=int, default=0, help="seed for the random values (default 0)")
    gradcheck.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def load_spec(args: argparse.Namespace) -> tuple[Network, tuple[Path, ...]]:
    """The network from SPEC (a file or example:NAME) or from the flags; never both. With it, every file the
    command reads (the spec, a preset, a claim file, the --templates files), which -o may never overwrite.
    The spec's notes go in ``args.notes``, for main to print once the command is done."""
    stage("reading the spec")
    net, inputs = _load_spec(args)
    args.notes = specs.notes(net.spec)
    return net, inputs


def _load_spec(args: argparse.Namespace) -> tuple[Network, tuple[Path, ...]]:
    flags = {k: getattr(args, k) for k in ("layers", "activation", "cost", "bias", "index_base", "notation")}
    given = {k: v for k, v in flags.items() if v is not None}
    if args.spec is not None:
        if given:
            raise SpecError("give a SPEC file or spec flags (--layers ...), not both")
        path = example_path(args.spec[len("example:") :]) if args.spec.startswith("example:") else Path(args.spec)
        net = Network.from_toml(path)
        return net, (path, *_other_inputs(args, net))
    if "layers" not in given:
        raise SpecError("give a SPEC file, example:NAME, or --layers (e.g. --layers 2,3,2)")
    net = Network.from_spec(specs.from_flags(given))
    return net, _other_inputs(args, net)


def _other_inputs(args: argparse.Namespace, net: Network) -> tuple[Path, ...]:
    """The files besides the spec that the command reads: a preset file, the claim file, the user's templates."""
    from .model.notation import preset_names

    files = [] if net.spec.notation in preset_names() else [Path(net.spec.notation)]
    if getattr(args, "claim_file", None) is not None:
        files.append(args.claim_file)
    templates = getattr(args, "templates", None)
    if templates is not None:
        files += _template_files(templates)
    return tuple(files)


def _template_files(folder: Path, most: int = 10_000) -> list[Path]:
    """What a --templates folder may hand the renderer: a file of each shipped template's name in it, and its
    other files (up to ``most``, so --templates / does not walk the disk)."""
    shipped = templates_dir()
    files = [folder / p.relative_to(shipped) for p in shipped.rglob("*.j2")]
    for root, _, names in itertools.islice(os.walk(folder), most):
        files += [Path(root, name) for name in names[:most]]
        most -= len(names)
        if most <= 0:
            break
    return files


def _output_path(text: str) -> Path:
    """An -o argument: ``-`` is standard output; a path that names a directory (``out/``) is refused here,
    while its trailing slash can still be seen (Path drops it)."""
    if not text:
        raise argparse.ArgumentTypeError("an empty file name")
    if text != "-" and text.rsplit("/", 1)[-1] in ("", "."):
        raise argparse.ArgumentTypeError(f"{shown(text)} names a directory (it ends in / or /.); give a file name")
    return Path(text)


def _emit(text: str, output: Path | None, protected: tuple[Path, ...], status: int = EXIT_OK) -> None:
    """The command's result on stdout, or in the -o file; a file is written only for a verdict (status 0 or 1),
    so a failed command leaves what was there before."""
    if output is None or is_stdout(output):
        _write_stdout(text)
    elif status in (EXIT_OK, EXIT_FAILED):
        write_atomically(output, text.encode("utf-8"), protected)


_LINE: ContextVar[Progress | None] = ContextVar("symbackprop_progress_line", default=None)


def _quiet() -> None:
    """End the progress line before the command writes to a terminal, so the two never share a line."""
    line = _LINE.get()
    if line is not None:
        line.end()


def _write_stdout(text: str) -> None:
    _quiet()
    sys.stdout.write(text)


def _step(what: str) -> None:
    """One more piece of the current stage done (an element of --wrt all), for the progress line."""
    line = _LINE.get()
    if line is not None:
        line.step(what)


def cmd_derive(args: argparse.Namespace) -> int:
    net, inputs = load_spec(args)
    if args.templates is not None and not args.templates.is_dir():
        raise SpecError(f"--templates: {args.templates} is not a directory")
    fmt = "json" if args.json else args.to
    if fmt == "pdf" and args.output is None:
        raise SpecError("--to pdf needs -o FILE.pdf")
    options = {"title": args.title, "author": args.author}
    if fmt in ("tex", "pdf"):
        _check_printable(args, net)
    if args.wrt2 is not None:
        return _second(net, args, fmt, inputs)
    if args.wrt.strip() == "all":
        if fmt not in ("tex", "pdf"):
            raise SpecError("--wrt all makes a LaTeX document: add --to tex or --to pdf")
        stage("deriving every weight and bias")
        bounds.check_all(net)
        stage("proving every weight and bias")
        proofs = all_proofs(net, bounds.all_elements(net), _step)
        source = render_all(all_document(net, proofs, **options), args.templates)
        proven = all(proofs.values())
    elif general_kind(args.wrt) is not None:
        source, proven = _general(net, general_kind(args.wrt), "tex" if fmt == "pdf" else fmt, options)
    else:
        ref = net.ref(args.wrt)
        stage("deriving")
        bounds.check_element(net, ref, args.wrt, fmt)
        d = derive(net, ref)
        verdicts = stated_proofs(d, fmt)
        document = derivation_document(d, fmt, verdicts, **options)
        source, proven = render(document, "tex" if fmt == "pdf" else fmt, args.templates), bool(verdicts)
    if fmt == "pdf":
        from .render.latex_build import build_pdf

        stage("compiling the PDF")
        pdf = build_pdf(source)
        _quiet()
        write_atomically(args.output, pdf, inputs)
    else:
        _emit(source, args.output, inputs)
    return EXIT_OK if proven else EXIT_FAILED


def _check_printable(args: argparse.Namespace, net: Network) -> None:
    """Refuse, before any work, a title or author holding a character the document's fonts cannot print,
    naming the character and where it came from (--title, or the spec's title key)."""
    for key in ("title", "author"):
        given = getattr(args, key)
        text, where = (given, f"--{key}") if given is not None else (net.spec.extras.get(key), f"{args.spec}: {key}")
        bad = untypesettable(text) if isinstance(text, str) else None
        if bad is not None:
            raise SpecError(
                f"{where}: the character {bad} cannot be printed in a LaTeX or PDF document, whose fonts have "
                "Latin letters, Greek letters as math and common signs; leave it out or write it in Latin letters"
            )


def _second(net: Network, args: argparse.Namespace, fmt: str, inputs: tuple[Path, ...]) -> int:
    """d^2 C_0/(dw dw'): worked by the chain rule, proven against the composed cost's second derivative."""
    from .derive.second import derive_second
    from .prove.second import check as check_second

    if fmt not in ("text", "json"):
        raise SpecError("a second derivative comes as text or json")
    first, second = net.ref(args.wrt), net.ref(args.wrt2)
    stage("deriving the second derivative")
    bounds.check_second(net, first, second, args.wrt)
    d2 = derive_second(net, first, second)
    stage("proving the second derivative")
    proof = check_second(d2)
    _emit(render_second(SecondDocument(d2, proof), fmt), args.output, inputs)
    return EXIT_OK if proof else EXIT_FAILED


def _general(net: Network, kind: str, fmt: str, options: dict[str, Any]) -> tuple[str, bool]:
    """The general form for ``kind``, proven on a copy of this network with a layer of each kind."""
    if kind == "b" and net.spec.bias == "none":
        raise SpecError('this network has no biases (bias = "none")')
    stage("proving the general form")
    proof = prove_general_form(net)
    return render_general(general_document(general_form(net, kind), proof, **options), fmt), bool(proof)


def cmd_evaluate(args: argparse.Namespace) -> int:
    net, inputs = load_spec(args)
    stage("deriving every gradient")
    bounds.check_numeric(net, "evaluate")
    stage("computing the gradient")
    numbers = numeric.evaluate(net)
    text = json.dumps(numbers, indent=2) + "\n" if args.json else _table(net, numbers)
    _emit(text, args.output, inputs)
    return EXIT_OK


def _table(net: Network, numbers: dict[str, Any]) -> str:
    from .model.references import layer_name

    lines = [f"cost C = {numbers['cost']:.10g}", "", "forward pass (first sample):"]
    for layer, a in enumerate(numbers["a"]):
        name = layer_name(layer, net.depth)
        z = f"  z = {_row(numbers['z'][layer - 1])}" if layer else ""
        lines.append(f"  layer {name:>4}: a = {_row(a)}{z}")
    lines += ["", "gradient of the mean cost:"]
    for layer, g in enumerate(numbers["grad_weights"], start=1):
        lines.append(f"  dC/dw^({layer_name(layer, net.depth)}) =")
        lines += [f"    {_row(row)}" for row in g]
    for layer, g in enumerate(numbers["grad_biases"], start=1):
        lines.append(f"  dC/db^({layer_name(layer, net.depth)}) = {_row(g if isinstance(g, list) else [g])}")
    if "updated_weights" in numbers:
        lines += ["", "after one gradient-descent step:"]
        for layer, w in enumerate(numbers["updated_weights"], start=1):
            lines.append(f"  w^({layer_name(layer, net.depth)}) =")
            lines += [f"    {_row(row)}" for row in w]
        for layer, b in enumerate(numbers["updated_biases"], start=1):
            lines.append(f"  b^({layer_name(layer, net.depth)}) = {_row(b if isinstance(b, list) else [b])}")
    return "\n".join(lines) + "\n"


def _row(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:.10g}" for v in values) + "]"


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        return _verify(args)
    except SpecError as err:  # with --json, the error is JSON on stdout too; main still writes its one line
        if args.json:
            _write_stdout(json.dumps({"error": _one_line(str(err))}, ensure_ascii=False) + "\n")
        raise


def _verify(args: argparse.Namespace) -> int:
    net, inputs = load_spec(args)
    claim = _claim_text(args)
    fmt = "json" if args.json else "text"
    if claim is None:
        if args.wrt is not None:
            raise SpecError("--wrt goes with --claim; without a claim, verify checks the spec's [claims] numbers")
        stage("checking the claimed numbers")
        checks = check_numbers(net)
        _emit(render_numbers(checks, fmt), args.output, inputs)
        return EXIT_FAILED if any(c.verdict == WRONG for c in checks) else EXIT_OK
    bounds.check_claim(net)
    report = verify_claim(net, claim, args.wrt)
    _emit(render_report(report, fmt), args.output, inputs, report.exit_status)
    _quiet()
    if report.verdict == "unparseable":  # the report is the answer; stderr still says why in one line
        where = f" at {error_place(report.claim, report.position)}" if report.position is not None else ""
        what = "" if report.undecided else f"the claim cannot be read{where}: "
        sys.stderr.write(f"symbackprop verify: error: {what}{_one_line(report.error)}\n")
    return report.exit_status


def _one_line(text: str | None) -> str:
    """A message as one line for stderr: whitespace runs to one space, other control characters escaped."""
    return shown(" ".join((text or "").split()))


def _claim_text(args: argparse.Namespace) -> str | None:
    if args.claim is not None and args.claim_file is not None:
        raise SpecError("give --claim or --claim-file, not both")
    if args.claim_file is None:
        return args.claim
    try:  # a regular file of bounded size: never a FIFO (which would hang) or /dev/zero
        data = read_regular_file(args.claim_file, MAX_CLAIM_BYTES, "claim file")
    except SpecError as err:
        raise SpecError(f"--claim-file {err}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"--claim-file {shown(args.claim_file)}: not UTF-8 text") from None


def cmd_codegen(args: argparse.Namespace) -> int:
    net, inputs = load_spec(args)
    stage("loading the code generator")  # SymPy's PyTorch printer imports torch, where it is installed
    from .codegen.modules import module_source

    _emit(module_source(net, args.backend), args.output, inputs)
    return EXIT_OK


def cmd_gradcheck(args: argparse.Namespace) -> int:
    net, _ = load_spec(args)
    stage("deriving every gradient")
    bounds.check_numeric(net, "gradcheck")
    values = numeric.random_values(net, seed=args.seed) if args.random or net.spec.values is None else None
    result = numeric.gradcheck(net, values)
    if args.json:
        _write_stdout(json.dumps(result.__dict__, indent=2) + "\n")
    else:
        verdict = "agree" if result.passed else "DISAGREE"
        _write_stdout(
            f"{result.parameters} gradients at {result.where}: lambdified and central differences {verdict}; "
            f"largest difference {result.max_abs_error:.3g} (relative {result.max_rel_error:.3g})\n"
        )
    return EXIT_OK if result.passed else EXIT_FAILED


COMMANDS = {
    "derive": cmd_derive,
    "evaluate": cmd_evaluate,
    "verify": cmd_verify,
    "codegen": cmd_codegen,
    "gradcheck": cmd_gradcheck,
}


class _Stopped(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, so every ``with`` and ``finally`` on the way out runs:
    a PDF build's temporary folder is removed and its TeX processes killed, and no half-made -o file stays."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    for number in STOP_SIGNALS:  # the cleanup the exception sets off is not itself cut short by a second signal
        signal.signal(number, signal.SIG_IGN)
    raise _Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command in this process, without the limits the command line has (for callers with limits of
    their own); bad input is one line on stderr and exit status 2; SIGTERM or SIGHUP, 128 + its number."""
    return _handled(build_parser().parse_args(argv))


def _handled(args: argparse.Namespace) -> int:
    """The command, with SIGTERM and SIGHUP unwinding it so that every cleanup on the way out runs."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        return _main(args)
    previous = {number: signal.signal(number, _stop) for number in STOP_SIGNALS}
    try:
        return _main(args)
    except _Stopped as stop:
        if stop.signum != bounded.TIME_LIMIT_SIGNAL:  # at the time limit the parent says why, in one line
            sys.stderr.write(f"symbackprop: stopped by {signal.Signals(stop.signum).name}\n")
        return 128 + stop.signum
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def bounded_main(argv: Sequence[str] | None = None) -> int:
    """Run one command as the command line does: in a child process under the time and memory limits
    (``--time-limit``, ``--memory-limit``, see ``bounded``); a limit reached is one line and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        limits = bounded.limits(args.time_limit, args.memory_limit)
    except SpecError as err:
        sys.stderr.write(f"symbackprop {args.command}: error: {_one_line(str(err))}\n")
        return EXIT_BAD_INPUT
    args.memory_mib = limits.memory_mib  # for the message when it is reached

    def say(message: str) -> None:
        sys.stderr.write(f"symbackprop {args.command}: error: {message}\n")

    return bounded.run(lambda: _handled(args), limits, say, lambda pid: _clear_after(pid, args))


def _clear_after(pid: int, args: argparse.Namespace) -> None:
    """What a command stopped by a limit could not remove: its PDF build folder, its unfinished -o file."""
    latex_build.sweep(Path(tempfile.gettempdir()))
    output = getattr(args, "output", None)
    if output is not None and not is_stdout(output):
        sweep_temporaries(Path(os.path.abspath(output)).parent, pid)


SUFFIX_FORMATS = {".pdf": "pdf", ".tex": "tex", ".md": "md", ".json": "json"}


def _formats_from_output(args: argparse.Namespace) -> None:
    """The output's format where -o's name says it and no option does (out.pdf, out.json); a name that says
    PDF for output that is not one is refused before any work, since that file would not open."""
    output = getattr(args, "output", None)
    suffix = output.suffix.lower() if output is not None and not is_stdout(output) else ""
    named = SUFFIX_FORMATS.get(suffix)
    if hasattr(args, "to"):
        if args.to is None:
            args.to = named if named is not None else "text"
        wanted = "json" if args.json else args.to
        if named == "pdf" and wanted != "pdf":
            raise SpecError(f"-o {output.name} names a PDF, but the output is {wanted}: give --to pdf, or another name")
        if wanted == "pdf" and named not in (None, "pdf"):
            raise SpecError(f"-o {output.name} names a {suffix} file, but --to pdf writes a PDF: name it .pdf")
    elif named == "json" and hasattr(args, "json"):
        args.json = True
    elif named == "pdf":
        raise SpecError(f"-o {output.name} names a PDF, but {args.command} writes text; name the file otherwise")


def _main(args: argparse.Namespace) -> int:
    try:
        _formats_from_output(args)
        with np.errstate(all="ignore"), _progress_line(args.command):  # overflow is an error of its own
            status = COMMANDS[args.command](args)
        if status in (EXIT_OK, EXIT_FAILED):  # a note goes with a result, after it; bad input stays one line
            for note in getattr(args, "notes", ()):
                sys.stderr.write(f"symbackprop {args.command}: note: {_one_line(note.line)}\n")
        return status
    except SpecError as err:
        sys.stderr.write(f"symbackprop {args.command}: error: {_one_line(str(err))}\n")
        return EXIT_BAD_INPUT
    except jinja2.TemplateError as err:
        if getattr(args, "templates", None) is None:  # a shipped template's fault: a bug of ours
            return _internal_error(args, err)
        where = f"{err.name}, line {err.lineno}: " if getattr(err, "lineno", None) else ""
        message = f"a template in {args.templates}: {where}{_one_line(str(err))}"
        sys.stderr.write(f"symbackprop {args.command}: error: {message}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("symbackprop: interrupted\n")
        return 130
    except RecursionError as err:
        frame = _in_user_template(err, getattr(args, "templates", None))
        if frame is not None:
            return _template_failed(args, err, frame)
        sys.stderr.write(f"symbackprop {args.command}: error: the input is too deeply nested to handle\n")
        return EXIT_BAD_INPUT
    except MemoryError:
        mib = getattr(args, "memory_mib", None)
        limit = f" of {mib} MiB (--memory-limit)" if mib else ""
        sys.stderr.write(f"symbackprop {args.command}: error: ran out of memory, past the limit{limit}\n")
        return EXIT_BAD_INPUT
    except Exception as err:  # a bug, not bad input: one line, and a distinct status, unless a user's template
        frame = _in_user_template(err, getattr(args, "templates", None))
        return _internal_error(args, err) if frame is None else _template_failed(args, err, frame)


def _template_failed(args: argparse.Namespace, err: Exception, frame: traceback.FrameSummary) -> int:
    """A --templates template whose own code failed: bad input, with its file and line."""
    where = f"{Path(frame.filename).resolve().relative_to(args.templates.resolve())}, line {frame.lineno}"
    message = f"a template in {args.templates}: {where}: {type(err).__name__}: {_one_line(str(err))}"
    sys.stderr.write(f"symbackprop {args.command}: error: {message}\n")
    return EXIT_BAD_INPUT


@contextmanager
def _progress_line(command: str) -> Iterator[None]:
    """One progress line for the whole command, on a terminal's stderr: each stage the command and the engine
    announce names itself there as it begins. Cleared before any error or result is written."""
    with Progress(f"symbackprop {command}", slow_after=PROGRESS_AFTER) as line, listening(line.stage):
        token = _LINE.set(line)
        try:
            yield
        finally:
            _LINE.reset(token)


def _in_user_template(err: Exception, folder: Path | None) -> traceback.FrameSummary | None:
    """The innermost line of a --templates template the error went through (Jinja gives a template's lines
    their file's name in a traceback): its code failed (1/0, "a" + 1), not the engine. None otherwise."""
    if folder is None:
        return None
    root = folder.resolve()
    frames = [f for f in traceback.extract_tb(err.__traceback__) if Path(f.filename).resolve().is_relative_to(root)]
    return frames[-1] if frames else None


def _internal_error(args: argparse.Namespace, err: Exception) -> int:
    problem = f"{type(err).__name__}: {_one_line(str(err))}"
    sys.stderr.write(f"symbackprop {args.command}: internal error, please report: {problem}\n")
    return EXIT_INTERNAL


def main_exit() -> NoReturn:
    """Console-script entry point: the command under its limits."""
    sys.exit(bounded_main())
