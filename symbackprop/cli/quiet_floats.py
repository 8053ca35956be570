"""NumPy's floating-point warnings off while a command runs, without importing NumPy for a command that needs none.

A command reports an overflow or a 0/0 as an error of its own, in one line, so NumPy's RuntimeWarnings would only
repeat it on stderr. ``np.errstate(all="ignore")`` around the command says so, but entering it imports NumPy
(0.03 s, a tenth of a derivation to text, which computes no number: issue 20). So when NumPy is not yet imported,
the setting is made as NumPy's import ends, if the command imports it at all, and undone when the command ends.

>>> import numpy as np
>>> with quiet_floats():
...     np.geterr()["over"]
'ignore'
>>> np.geterr()["over"]
'warn'
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any


@contextmanager
def quiet_floats() -> Iterator[None]:
    """Within the block NumPy ignores floating-point errors (``np.errstate(all="ignore")``) in this thread, from
    the moment NumPy is imported if it is not yet."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        with numpy.errstate(all="ignore"):
            yield
        return
    hook = _WhenImported(threading.get_ident())
    sys.meta_path.insert(0, hook)
    try:
        yield
    finally:
        hook.undo()


class _WhenImported(importlib.abc.MetaPathFinder):
    """Finds nothing itself: it hands NumPy's import to the finders after it, and has the loader they give set
    NumPy's errors to "ignore" once NumPy is loaded, for the thread that entered ``quiet_floats``."""

    def __init__(self, thread: int) -> None:
        self.thread = thread
        self.before: dict[str, str] | None = None  # NumPy's settings before, once they are changed

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "numpy" or threading.get_ident() != self.thread:
            return None
        self._leave()
        spec = importlib.util.find_spec(fullname)  # by the finders after this one, which is gone from the path
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenQuiet(spec.loader, self)
        return spec

    def quieten(self, numpy: ModuleType) -> None:
        self.before = numpy.seterr(all="ignore")

    def undo(self) -> None:
        self._leave()
        numpy = sys.modules.get("numpy")
        if self.before is not None and numpy is not None:
            numpy.seterr(**self.before)

    def _leave(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)


class _ThenQuiet(importlib.abc.Loader):
    """NumPy's own loader, which then has the hook quieten the module it loaded."""

    def __init__(self, loader: importlib.abc.Loader, hook: _WhenImported) -> None:
        self.loader = loader
        self.hook = hook

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader  # NumPy is loaded as by a plain import, with its own loader in its spec
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        self.hook.quieten(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)
