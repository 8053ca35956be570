"""Compiled templates kept between runs change no byte of a document, and can be turned off."""

from __future__ import annotations

from pathlib import Path

from ..commandline import CommandLine

ARGS = ("derive", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--to", "tex")


def test_a_cached_run_writes_the_bytes_of_an_uncached_one(tmp_path: Path) -> None:
    cli, cache_root = CommandLine(), tmp_path / "tmp"
    cache_root.mkdir()
    outputs = []
    for name, env in [("none", {"SYMBACKPROP_NO_CACHE": "1"}), ("cold", {}), ("warm", {})]:
        done = cli.process(*ARGS, "-o", str(tmp_path / f"{name}.tex"), env={"TMPDIR": str(cache_root), **env})
        assert done.returncode == 0, done.stderr
        outputs.append((tmp_path / f"{name}.tex").read_bytes())
        cached = sorted(cache_root.glob("_jinja2-cache-*/__symbackprop_*.cache"))
        assert bool(cached) == (name != "none")  # nothing kept when turned off; kept from the first cached run
    assert outputs[0] == outputs[1] == outputs[2]
