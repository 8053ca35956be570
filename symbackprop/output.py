"""Files in and out, safely: an input is a regular file read up to a bound, never a device or a pipe that
hangs or fills memory; an output is written so that a failure never leaves a half-written or clobbered file,
and never lands on an input, a device node or a pipe."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from .errors import SpecError

STDOUT = "-"  # ``-o -``: standard output
TEMPORARY_PREFIX = ".sbp-"  # short, so a file name near the 255-byte limit still has room beside it
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}  # would reorder the rest of the line


def shown(text: object) -> str:
    """``text`` (a path, usually) with control characters escaped, so a message stays one inert line."""
    return "".join(_escaped(ch) for ch in str(text))


def _escaped(ch: str) -> str:
    if ch in _BIDI or unicodedata.category(ch) == "Cc":
        return ch.encode("unicode_escape").decode("ascii")
    return ch


def is_stdout(path: Path | str | None) -> bool:
    return path is not None and str(path) == STDOUT


def read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes; else a one-line SpecError.

    The file is opened without blocking, so a FIFO is refused at once instead of waiting for a writer.
    ``what`` names the file in the messages ("spec", "claim file").
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SpecError(f"{shown(path)}: no such file") from None
    except OSError as err:
        raise SpecError(f"{shown(path)}: cannot read the {what} ({_reason(err)})") from None
    except ValueError:  # a NUL character, which no file name can hold
        raise SpecError(f"{shown(path)}: not a file name (it holds a NUL character)") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise SpecError(f"{shown(path)}: is a directory, not a {what}")
        if not stat.S_ISREG(mode):
            raise SpecError(f"{shown(path)}: not a regular file ({_kind(mode)}), so not read as the {what}")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        raise SpecError(f"{shown(path)}: cannot read the {what} ({_reason(err)})") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise SpecError(f"{shown(path)}: larger than {_size(limit)}, the most a {what} may be")
    return data


def write_atomically(path: Path, data: bytes, protected: Iterable[Path] = ()) -> None:
    """Write to a temporary file beside ``path``, then rename it into place; ``-`` is standard output.

    ``protected`` paths (the inputs the command read) are never overwritten, nor is anything that is not a
    regular file (a device, a FIFO, a socket). Any failure is a one-line SpecError naming the path and the
    operating system's reason, and leaves whatever was at ``path`` as it was.
    """
    if is_stdout(path):
        _to_stdout(data)
        return
    try:
        _write(path, data, tuple(protected))
    except OSError as err:
        raise SpecError(f"{shown(path)}: cannot write it ({_reason(err)})") from None
    except RuntimeError:  # pathlib's resolve() on a symlink loop (Python before 3.13)
        raise SpecError(f"{shown(path)}: cannot write it (too many levels of symbolic links)") from None


def _write(path: Path, data: bytes, protected: tuple[Path, ...]) -> None:
    target = path.resolve()
    try:
        now = os.stat(path)  # through a symlink: /dev/stdout is the pipe or terminal it points to
    except FileNotFoundError:
        now = None
    if now is not None and stat.S_ISDIR(now.st_mode):
        raise SpecError(f"{shown(path)}: is a directory")
    if now is not None and not stat.S_ISREG(now.st_mode):
        raise SpecError(f"{shown(path)}: not a regular file ({_kind(now.st_mode)}); refusing to replace it")
    if _is_input(target, now, protected):
        raise SpecError(f"{shown(path)}: refusing to overwrite the input spec or a file the command read")
    if not target.parent.is_dir():
        raise SpecError(f"{shown(path)}: no such directory {shown(target.parent)}")
    fd, tmp = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(fd, now.st_mode & 0o777 if now is not None else _new_file_mode())
            os.fsync(fd)  # the bytes are on disk before the name is, so a crash leaves the old file or the new
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_input(target: Path, now: os.stat_result | None, protected: tuple[Path, ...]) -> bool:
    """Whether ``target`` is one of the inputs: by its resolved name, or by inode (a hard link)."""
    for p in protected:
        try:
            if target == p.resolve():
                return True
            if now is not None:
                was = os.stat(p)
                if (was.st_dev, was.st_ino) == (now.st_dev, now.st_ino):
                    return True
        except (OSError, RuntimeError):
            continue
    return False


def _to_stdout(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _new_file_mode() -> int:
    """What the umask gives a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "an unusual file")


def _reason(err: OSError) -> str:
    return err.strerror or type(err).__name__


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{limit:,} bytes"
