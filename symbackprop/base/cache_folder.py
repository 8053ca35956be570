"""The user's cache folder for what is worth keeping between runs (compiled templates, the claim grammar's parse
tables): $XDG_CACHE_HOME or ~/.cache, then symbackprop/<name>, used only while it is this user's alone.

What is kept there is code or a pickle that a later run loads, so a folder someone else can write is never used:
what they put in it would run as this user. SYMBACKPROP_NO_CACHE=1 turns every cache off.

>>> folder = user_cache_folder("templates")
>>> folder is None or folder.endswith(os.path.join("symbackprop", "templates"))
True
"""

from __future__ import annotations

import os
import stat


def user_cache_folder(name: str) -> str | None:
    """symbackprop/``name`` in the user's cache folder, made (mode 0700) if missing; None when caching is off,
    the folder cannot be made, or someone else owns it or may write to it."""
    if os.environ.get("SYMBACKPROP_NO_CACHE"):
        return None
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(root, "symbackprop", name)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return None
    others = found.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    if not stat.S_ISDIR(found.st_mode) or others or found.st_uid != getattr(os, "getuid", lambda: found.st_uid)():
        return None  # compiled code read from a folder someone else can write would run as this user
    return folder
