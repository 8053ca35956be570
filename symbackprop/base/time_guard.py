"""A wall-clock budget for a piece of work, checked inside it (SIGALRM), so it holds wherever the work is."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class _OutOfTime(BaseException):  # not an Exception: SymPy's own ``except Exception`` must not swallow it
    pass


_AGAIN = 0.05  # the alarm repeats until disarmed: an expiry swallowed (in a __del__, a gc callback) comes again
_deadlines: list[float] = []  # the enclosing budgets' ends, innermost last


def within(seconds: float, work: Callable[[], T]) -> T | None:
    """``work()``, or None if it runs past ``seconds`` (enforced only on the main thread).

    Budgets nest: an inner one never outlasts the one around it, which still expires on time.
    """
    if threading.current_thread() is not threading.main_thread():
        return work()
    now = time.monotonic()
    deadline = min([now + seconds, *_deadlines[-1:]])

    def expire(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    _deadlines.append(deadline)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, max(deadline - now, 1e-6), _AGAIN)
            return work()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _OutOfTime:  # raised in the work or, at the very end, while disarming
        return None
    finally:
        _deadlines.pop()
        signal.signal(signal.SIGALRM, previous)
        if _deadlines:  # the enclosing budget's timer, re-armed for what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(_deadlines[-1] - time.monotonic(), 1e-6), _AGAIN)
