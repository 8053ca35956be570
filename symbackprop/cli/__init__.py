"""The command line: derive, evaluate, verify, codegen, gradcheck and grade. Bad input is one line on stderr and exit
status 2, never a traceback; each command runs under its time and memory limits (``bounded_main``).

>>> from symbackprop.cli import main
>>> main(["derive", "example:nosuch", "--wrt", "w^{(L)}"])  # stderr: no built-in example 'nosuch'; there are: ...
2
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ..base import bounded
from ..base.errors import SpecError
from ..base.output import is_stdout, sweep_temporaries
from .parser import build_parser, formats_from_output
from .terminal import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, one_line, progress_line

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, bounded.TIME_LIMIT_SIGNAL)  # the last: the parent says time is up


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
    args = _parsed(argv)
    return args if isinstance(args, int) else _handled(args)


def _parsed(argv: Sequence[str] | None) -> argparse.Namespace | int:
    """The arguments, or the exit status argparse ends with (--help: 0, a usage error: 2, said in one line)."""
    try:
        return build_parser().parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT


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
    args = _parsed(argv)
    if isinstance(args, int):
        return args
    try:
        limits = bounded.limits(args.time_limit, args.memory_limit)
    except SpecError as err:
        sys.stderr.write(f"symbackprop {args.command}: error: {one_line(str(err))}\n")
        return EXIT_BAD_INPUT
    args.memory_mib = limits.memory_mib  # for the message when it is reached

    def say(message: str) -> None:
        sys.stderr.write(f"symbackprop {args.command}: error: {message}\n")

    return bounded.run(lambda: _handled(args), limits, say, lambda pid: _clear_after(pid, args))


def _clear_after(pid: int, args: argparse.Namespace) -> None:
    """What a command stopped by a limit could not remove: its PDF build folder, its unfinished -o file."""
    from ..render import latex_build  # here, not at the top: parsing the arguments needs none of the stages

    latex_build.sweep(Path(tempfile.gettempdir()))
    output = getattr(args, "output", None)
    if output is not None and not is_stdout(output):
        sweep_temporaries(Path(os.path.abspath(output)).parent, pid)


def _main(args: argparse.Namespace) -> int:
    # The stages are imported once the arguments are parsed: --help and a usage error import no SymPy, NumPy or
    # Jinja2, and start as fast as Python does; NumPy is imported only by a command that computes numbers
    import jinja2

    from .commands import COMMANDS
    from .quiet_floats import quiet_floats

    try:
        formats_from_output(args)
        with quiet_floats(), progress_line(args.command):  # overflow is an error of its own
            status = COMMANDS[args.command](args)
        if status in (EXIT_OK, EXIT_FAILED):  # a note goes with a result, after it; bad input stays one line
            for note in getattr(args, "notes", ()):
                sys.stderr.write(f"symbackprop {args.command}: note: {one_line(note.line)}\n")
        return status
    except SpecError as err:
        sys.stderr.write(f"symbackprop {args.command}: error: {one_line(str(err))}\n")
        return EXIT_BAD_INPUT
    except jinja2.TemplateError as err:
        if getattr(args, "templates", None) is None:  # a shipped template's fault: a bug of ours
            return _internal_error(args, err)
        # name and lineno are TemplateSyntaxError's, which jinja2 types on that subclass only; lineno tells it here
        where = f"{err.name}, line {err.lineno}: " if getattr(err, "lineno", None) else ""  # type: ignore[attr-defined]
        message = f"a template in {args.templates}: {where}{one_line(str(err))}"
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
    message = f"a template in {args.templates}: {where}: {type(err).__name__}: {one_line(str(err))}"
    sys.stderr.write(f"symbackprop {args.command}: error: {message}\n")
    return EXIT_BAD_INPUT


def _in_user_template(err: Exception, folder: Path | None) -> traceback.FrameSummary | None:
    """The innermost line of a --templates template the error went through (Jinja gives a template's lines
    their file's name in a traceback): its code failed (1/0, "a" + 1), not the engine. None otherwise."""
    if folder is None:
        return None
    root = folder.resolve()
    frames = [f for f in traceback.extract_tb(err.__traceback__) if Path(f.filename).resolve().is_relative_to(root)]
    return frames[-1] if frames else None


def _internal_error(args: argparse.Namespace, err: Exception) -> int:
    problem = f"{type(err).__name__}: {one_line(str(err))}"
    sys.stderr.write(f"symbackprop {args.command}: internal error, please report: {problem}\n")
    return EXIT_INTERNAL


def main_exit() -> NoReturn:
    """Console-script entry point: the command under its limits."""
    sys.exit(bounded_main())
