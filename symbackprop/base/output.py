"""Files in and out, safely: an input is a regular file read up to a bound, never a device or a pipe that
hangs or fills memory; an output is written so that a failure never leaves a half-written or clobbered file,
and never lands on an input, a device node or a pipe."""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from .errors import SpecError

AT_FDCWD, AT_SYMLINK_FOLLOW = -100, 0x400  # linkat(2): link the file an fd's /proc entry names, not the entry
_LIBC = ctypes.CDLL(None, use_errno=True)  # Python's os.link cannot ask linkat to follow /proc/self/fd/N
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


def check_writable(path: Path, protected: Iterable[Path] = ()) -> None:
    """A one-line SpecError unless ``write_atomically`` may write ``path``: for a command that writes several
    files, to find a bad one before any is written (or any work is done)."""
    try:
        _checked(path, tuple(protected))
    except OSError as err:
        raise SpecError(f"{shown(path)}: cannot write it ({_reason(err)})") from None
    except RuntimeError:
        raise SpecError(f"{shown(path)}: cannot write it (too many levels of symbolic links)") from None


def write_all_atomically(files: Sequence[tuple[Path, bytes]], protected: Iterable[Path] = ()) -> None:
    """Write every file or none: each is checked, then written to a temporary file beside it, and only once all
    are on disk are they renamed into place. A failure is a one-line SpecError naming the path, and leaves every
    path as it was."""
    kept = tuple(protected)
    temporaries: list[str] = []
    path = Path()
    try:
        places = []
        for path, data in files:
            target, now = _checked(path, kept)
            sweep_temporaries(target.parent)
            fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(), suffix=".tmp", dir=target.parent)
            temporaries.append(tmp)
            with os.fdopen(fd, "wb") as handle:
                _fill(handle, data, now.st_mode & 0o777 if now is not None else _new_file_mode())
            places.append(target)
        for tmp, target in zip(list(temporaries), places, strict=True):
            path = target
            os.replace(tmp, target)
            temporaries.remove(tmp)
    except OSError as err:
        raise SpecError(f"{shown(path)}: cannot write it ({_reason(err)})") from None
    except RuntimeError:
        raise SpecError(f"{shown(path)}: cannot write it (too many levels of symbolic links)") from None
    finally:
        for tmp in temporaries:
            Path(tmp).unlink(missing_ok=True)


def _checked(path: Path, protected: tuple[Path, ...]) -> tuple[Path, os.stat_result | None]:
    """Where ``path`` resolves to and what is there now, once it is known that a regular file may be written there."""
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
    return target, now


def _write(path: Path, data: bytes, protected: tuple[Path, ...]) -> None:
    target, now = _checked(path, protected)
    sweep_temporaries(target.parent)
    mode = now.st_mode & 0o777 if now is not None else _new_file_mode()
    if not _write_unnamed(target, data, mode):
        _write_named(target, data, mode)


def _write_unnamed(target: Path, data: bytes, mode: int) -> bool:
    """Write into a file with no name (O_TMPFILE) until its bytes are on disk, then name it and rename it into
    place: a kill while writing leaves nothing behind. False where the system cannot make such a file."""
    try:
        fd = os.open(target.parent, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, mode)
    except (AttributeError, OSError):
        return False
    tmp = ""
    try:
        with os.fdopen(fd, "wb") as handle:
            _fill(handle, data, mode)
            try:
                tmp = _named(handle.fileno(), target.parent)
            except OSError:
                return False
        os.replace(tmp, target)
        return True
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise


def _write_named(target: Path, data: bytes, mode: int) -> None:
    """Write into a temporary file beside ``target`` and rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(), suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            _fill(handle, data, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fill(handle: BinaryIO, data: bytes, mode: int) -> None:
    handle.write(data)
    handle.flush()
    os.fchmod(handle.fileno(), mode)
    os.fsync(handle.fileno())  # the bytes are on disk before the name is, so a crash leaves the old file or the new


def _named(fd: int, folder: Path) -> str:
    """A name beside the output for an unnamed file, so that a rename can put it in place in one step."""
    for _ in range(100):
        name = folder / f"{temporary_prefix()}{os.urandom(6).hex()}.tmp"
        if _LIBC.linkat(AT_FDCWD, f"/proc/self/fd/{fd}".encode(), AT_FDCWD, os.fsencode(name), AT_SYMLINK_FOLLOW) == 0:
            return str(name)
        error = ctypes.get_errno()
        if error != errno.EEXIST:
            raise OSError(error, os.strerror(error), str(name))
    raise FileExistsError(f"no free temporary name in {folder}")


def temporary_prefix(pid: int | None = None) -> str:
    """The start of the name of a temporary file this process (or ``pid``) writes beside an output."""
    return f"{TEMPORARY_PREFIX}{os.getpid() if pid is None else pid}-"


def sweep_temporaries(folder: Path, pid: int | None = None) -> None:
    """Remove the temporary files beside outputs in ``folder`` that a killed run left: those of ``pid``, or of every
    process that is no longer running."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith(TEMPORARY_PREFIX) and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        owner = name[len(TEMPORARY_PREFIX) :].split("-", 1)[0]
        if not owner.isdigit() or (pid is not None and int(owner) != pid):
            continue
        if pid is None and (int(owner) == os.getpid() or _running(int(owner))):
            continue
        path = folder / name
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_uid == os.getuid():
                path.unlink()
        except OSError:
            continue


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
