"""Compiled templates kept between runs change no byte of a document, and can be turned off."""

from __future__ import annotations

from pathlib import Path

from ..commandline import CommandLine

ARGS = ("derive", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--to", "tex")


def test_a_cached_run_writes_the_bytes_of_an_uncached_one(tmp_path: Path) -> None:
    cli, cache_root = CommandLine(), tmp_path / "cache"
    outputs = []
    for name, env in [("none", {"SYMBACKPROP_NO_CACHE": "1"}), ("cold", {}), ("warm", {})]:
        done = cli.process(*ARGS, "-o", str(tmp_path / f"{name}.tex"), env={"XDG_CACHE_HOME": str(cache_root), **env})
        assert done.returncode == 0, done.stderr
        outputs.append((tmp_path / f"{name}.tex").read_bytes())
        cached = sorted(cache_root.glob("symbackprop/templates/__*.cache"))
        assert bool(cached) == (name != "none")  # nothing kept when turned off; kept from the first cached run
    assert outputs[0] == outputs[1] == outputs[2]
    assert (cache_root / "symbackprop" / "templates").stat().st_mode & 0o077 == 0  # this user's alone


def test_a_cache_folder_others_can_write_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "symbackprop" / "templates"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    done = CommandLine().process(
        *ARGS, "-o", str(tmp_path / "out.tex"), env={"XDG_CACHE_HOME": str(tmp_path / "cache")}
    )
    assert done.returncode == 0, done.stderr
    assert not list(folder.iterdir())
