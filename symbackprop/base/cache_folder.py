"""The user's cache folder for what is worth keeping between runs (compiled templates, the claim grammar's parse
tables): $XDG_CACHE_HOME or ~/.cache, then symbackprop/<name>, used only while it is this user's alone.

What is kept there is code or a pickle that a later run loads, so a folder someone else can write is never used:
what they put in it would run as this user. Nor is one that someone else could swap: whoever may write to a folder
above it can rename it away and put theirs in its place between the check and the read, so every folder on the way
down (and where a link leads) must be this user's or root's and writable by no one else, unless it has the sticky
bit /tmp has (others then make entries of their own there but cannot rename this user's). SYMBACKPROP_NO_CACHE=1
turns every cache off.

>>> folder = user_cache_folder("templates")
>>> folder is None or folder.endswith(os.path.join("symbackprop", "templates"))
True
"""

from __future__ import annotations

import os
import stat


def user_cache_folder(name: str) -> str | None:
    """symbackprop/``name`` in the user's cache folder, made (mode 0700) if missing; None when caching is off,
    the folder cannot be made, or someone else owns it, may write to it or may swap a folder above it."""
    if os.environ.get("SYMBACKPROP_NO_CACHE"):
        return None
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    base = os.path.join(os.path.abspath(root), "symbackprop")
    folder = os.path.join(base, name)
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)  # mode is the last folder's only: not left to the umask
        os.makedirs(folder, mode=0o700, exist_ok=True)
        private = _alone(folder, stat.S_IRWXG | stat.S_IRWXO) and _alone(base, stat.S_IWGRP | stat.S_IWOTH)
        return folder if private and _unswappable(os.path.dirname(base)) else None
    except OSError:
        return None


def _uid() -> int | None:
    getuid = getattr(os, "getuid", None)
    return getuid() if getuid is not None else None


def _alone(path: str, forbidden: int) -> bool:
    """A real folder (not a link) of this user's, with none of the ``forbidden`` permission bits."""
    found = os.lstat(path)
    uid = _uid()
    return stat.S_ISDIR(found.st_mode) and not found.st_mode & forbidden and uid in (None, found.st_uid)


def _unswappable(path: str) -> bool:
    """Whether no one but this user and root can rename anything on the way to ``path``: each folder of its
    written path (a link's own folder counts; where it leads is checked as a path of its own) and of the path with
    the links resolved is this user's or root's, and writable by no one else or sticky."""
    if _uid() is None:  # no owners to compare (Windows): the folder's own check is what there is
        return True
    return all(_safe(prefix) for prefix in _prefixes(path)) and all(
        _safe(prefix) for prefix in _prefixes(os.path.realpath(path))
    )


def _prefixes(path: str) -> list[str]:
    parts, head = [], path
    while True:
        parts.append(head)
        parent = os.path.dirname(head)
        if parent == head:
            return parts
        head = parent


def _safe(path: str) -> bool:
    found = os.lstat(path)
    if stat.S_ISLNK(found.st_mode):
        return True  # a link cannot be changed, only replaced through its folder, which is checked too
    writable = found.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not found.st_mode & stat.S_ISVTX
    return stat.S_ISDIR(found.st_mode) and found.st_uid in (0, _uid()) and not writable
