"""A command run under limits that hold: in a child process with a memory limit, stopped at a wall-clock limit,
and never outliving the process that started it.

Limits checked inside the work (``time_guard``) only hold where the work returns to Python now and then; a single
SymPy call on a huge expression, a power of a big integer or a template's loop may not. So the command runs in a
forked child: its address space is capped (RLIMIT_AS, a MemoryError past it), its CPU time too (RLIMIT_CPU, a
backstop), and the parent stops it at the wall-clock limit. The child dies with the parent (PR_SET_PDEATHSIG): a
SIGTERM there unwinds it, so a PDF build's TeX processes are killed and its folder removed on the way out.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import resource
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from .errors import SpecError

DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY_MIB = 4096
MIN_MEMORY_MIB = 512  # below this the Python process and its libraries do not start their work
MAX_SECONDS = 7 * 24 * 3600.0
TIME_ENV, MEMORY_ENV = "SYMBACKPROP_TIME_LIMIT", "SYMBACKPROP_MEMORY_LIMIT"
TIME_LIMIT_SIGNAL = signal.SIGUSR1  # the parent's word to the child that its time is up: unwind, say nothing
GRACE_SECONDS = 5.0  # after the time limit, how long the child has to clean up before SIGKILL
FORWARDED = (signal.SIGTERM, signal.SIGHUP)
STOPPING = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, TIME_LIMIT_SIGNAL)  # the signals that unwind a command
PR_SET_PDEATHSIG = 1
_Number = TypeVar("_Number", int, float)


@dataclass(frozen=True)
class Limits:
    """How long a command may run (wall clock, seconds) and how much memory it may map (MiB)."""

    seconds: float = DEFAULT_SECONDS
    memory_mib: int = DEFAULT_MEMORY_MIB


def limits(seconds: float | None = None, memory_mib: int | None = None) -> Limits:
    """The limits a command runs under: those given, else the environment's (SYMBACKPROP_TIME_LIMIT,
    SYMBACKPROP_MEMORY_LIMIT), else the defaults; a value out of range is a SpecError naming it."""
    if seconds is None:
        seconds = _from_env(TIME_ENV, float, DEFAULT_SECONDS)
    if memory_mib is None:
        memory_mib = _from_env(MEMORY_ENV, int, DEFAULT_MEMORY_MIB)
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_SECONDS):
        raise SpecError(f"the time limit must be more than 0 and at most {MAX_SECONDS:g} seconds, got {seconds:g}")
    if memory_mib < MIN_MEMORY_MIB:
        raise SpecError(f"the memory limit must be at least {MIN_MEMORY_MIB} MiB, got {memory_mib}")
    return Limits(float(seconds), int(memory_mib))


def _from_env(name: str, kind: Callable[[str], _Number], default: _Number) -> _Number:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise SpecError(f"{name}={text[:40]!r} is not a number") from None


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Have the kernel send ``signum`` to this process when the thread that started it ends (Linux; a no-op
    elsewhere), and take the signals ``held`` held back. For a child of ``subprocess``, call it as
    ``preexec_fn``, inside ``held()``."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    except (OSError, AttributeError):
        pass
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold the stopping signals back while a process is started. A Python handler that raised in the middle
    of a fork would raise inside the interpreter's at-fork callbacks, where the exception is printed and
    dropped: the stop would be lost. Held, the signal arrives when this block ends, as an exception there."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run(
    work: Callable[[], int],
    bounds: Limits,
    say: Callable[[str], None],
    after_abnormal_end: Callable[[int], None] = lambda pid: None,
) -> int:
    """``work()``'s exit status, run in a child under ``bounds``. If a limit stops it, ``say`` gets one line
    naming the limit and the status is 2; ``after_abnormal_end(pid)`` then clears what the child could not."""
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    with held():
        pid = os.fork()
        if pid == 0:  # the child: it never returns from here
            _child(work, bounds, parent)
    outcome = _watch(pid, bounds)
    if outcome.status is not None:
        return outcome.status
    after_abnormal_end(pid)
    say(outcome.message)
    return 2


def _child(work: Callable[[], int], bounds: Limits, parent: int) -> None:
    status = 3
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        die_with_parent(signal.SIGTERM)  # unwound like any SIGTERM: TeX killed, folders and files removed
        if os.getppid() != parent:  # the parent was gone before the line above took effect
            os._exit(128 + signal.SIGTERM)
        memory = bounds.memory_mib << 20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = math.ceil(bounds.seconds) + 10
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 10))
        status = work()
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 2
    except BaseException:
        status = 3
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


@dataclass(frozen=True)
class _Outcome:
    status: int | None  # the child's own exit status, or None when a limit or a signal ended it
    message: str = ""


def _watch(pid: int, bounds: Limits) -> _Outcome:
    """Wait for the child, forwarding SIGTERM and SIGHUP to it; at the time limit, ask it to stop, then kill it."""
    forwarded: list[int] = []

    def forward(signum: int, frame: object) -> None:
        forwarded.append(signum)
        _signal(pid, signum)

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C reaches the child
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)  # held back while forking: forwarded from here on
    try:
        timed_out = not _wait(pid, bounds.seconds)
        if timed_out:
            _signal(pid, TIME_LIMIT_SIGNAL)
            if not _wait(pid, GRACE_SECONDS):
                _signal(pid, signal.SIGKILL)
        _, raw = os.waitpid(pid, 0)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    code = os.waitstatus_to_exitcode(raw)
    if timed_out:
        return _Outcome(None, f"stopped after {bounds.seconds:g} s, the time limit (--time-limit)")
    if code >= 0:
        return _Outcome(code)
    return _Outcome(None, _killed(-code, bounds, forwarded))


def _killed(signum: int, bounds: Limits, forwarded: list[int]) -> str:
    name = signal.Signals(signum).name
    if signum == signal.SIGXCPU:
        return f"stopped when its CPU time passed the time limit, {bounds.seconds:g} s (--time-limit)"
    if signum in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS) and not forwarded:
        return f"stopped by {name}, most likely out of memory at the limit of {bounds.memory_mib} MiB (--memory-limit)"
    return f"stopped by {name}"


def _wait(pid: int, seconds: float) -> bool:
    """Whether the child ended within ``seconds`` (it is not reaped)."""
    deadline = time.monotonic() + seconds
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    try:
        while True:
            left = deadline - time.monotonic()
            if fd is not None:
                if select.select([fd], [], [], max(left, 0))[0]:
                    return True
            elif os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
            else:
                time.sleep(min(0.05, max(left, 0)))
            if time.monotonic() >= deadline:
                return False
    finally:
        if fd is not None:
            os.close(fd)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
