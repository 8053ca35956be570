"""Named stages of slow work, announced to whoever listens: the command line's progress line.

A module calls ``stage("proving the matrix form")`` as a stage begins, knowing nothing of who
hears it; the command line listens (``with listening(progress.stage): ...``) and shows the name
on a terminal. With no listener (the Python API, the tests) a stage costs one lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_LISTENER: ContextVar[Callable[[str], None] | None] = ContextVar("symbackprop_stage_listener", default=None)


def stage(name: str) -> None:
    """The work named ``name`` begins now."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(name)


@contextmanager
def listening(listener: Callable[[str], None]) -> Iterator[None]:
    """Within the block, every stage's name goes to ``listener``."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def unheard() -> None:
    """From here on, in this context, no stage is heard: for a pool's worker process, forked from a command whose
    progress line is its parent's to show."""
    _LISTENER.set(None)
