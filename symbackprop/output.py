"""Writing output files so that a failure never leaves a half-written or clobbered file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import SpecError


def write_atomically(path: Path, data: bytes, protected: tuple[Path, ...] = ()) -> None:
    """Write to a temporary file beside ``path``, then rename it into place.

    ``protected`` paths (the input spec) are never overwritten.
    """
    target = path.resolve()
    if any(target == p.resolve() for p in protected):
        raise SpecError(f"{path}: refusing to overwrite the input spec")
    if target.is_dir():
        raise SpecError(f"{path}: is a directory")
    if not target.parent.is_dir():
        raise SpecError(f"{path}: no such directory {target.parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """The file's present permissions when replacing it, else what the umask gives a new file."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
