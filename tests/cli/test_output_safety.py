"""Where output may go and what input may be: never onto a device, a FIFO or an input file, never a file
named after a directory, never a file at all for a failed command; inputs are regular files read to a bound;
an error is one inert line even when a path holds control characters; SIGTERM cleans up a PDF build."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..needs import NEEDS_TEX

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT = {**os.environ, "PYTHONPATH": str(ROOT)}  # subprocesses import this checkout's package
W = ("--wrt", "w_{12}^{(L)}")
RIGHT = r"2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}"  # dC_0/dw_12^(L) of example:deeplizard


def refused(done: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2 with one clean line on stderr holding ``words``."""
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.count("\n") == 1 and done.stderr.endswith("\n"), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- 1. an existing target that is not a regular file ----------------------------------------------


def test_output_onto_a_fifo_is_refused_and_the_fifo_kept(tmp_path, cmdline):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = cmdline.process("derive", "example:deeplizard", *W, "-o", str(fifo), cwd=tmp_path)
    refused(done, "not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # not replaced by a rename
    assert leftovers(tmp_path) == []


def test_output_into_proc_is_a_clean_error(tmp_path, cmdline):
    refused(cmdline.run("derive", "example:deeplizard", *W, "-o", "/proc/x.txt", cwd=tmp_path), "/proc/x.txt")


def test_dev_stdout_onto_a_pipe_is_refused_and_a_dash_is_standard_output(tmp_path, cmdline):
    refused(cmdline.process("evaluate", "example:worked", "-o", "/dev/stdout", cwd=tmp_path), "not a regular file")
    done = cmdline.process("evaluate", "example:worked", "-o", "-", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("cost C ="), done.stderr
    assert not (tmp_path / "-").exists()


# --- 2. a long file name, and the OS's own reasons ---------------------------------------------------


def test_a_250_character_file_name_is_written(tmp_path, cmdline):
    name = "a" * 246 + ".txt"
    done = cmdline.run("evaluate", "example:worked", "-o", name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / name).read_text().startswith("cost C =")
    assert leftovers(tmp_path) == []


def test_a_file_name_too_long_for_the_system_is_one_line_with_its_reason(tmp_path, cmdline):
    name = "a" * 300
    refused(
        cmdline.run("evaluate", "example:worked", "-o", name, cwd=tmp_path),
        "cannot write it",
        os.strerror(errno.ENAMETOOLONG),
    )
    assert leftovers(tmp_path) == []


# --- 3. a path with a trailing slash names a directory ----------------------------------------------


@pytest.mark.parametrize("suffix", ["/", "/."])
def test_output_ending_in_a_slash_is_refused(tmp_path, suffix, cmdline):
    done = cmdline.run("evaluate", "example:worked", "-o", str(tmp_path / "newdir") + suffix, cwd=tmp_path)
    refused(done, "names a directory")
    assert not (tmp_path / "newdir").exists()


# --- 4. an input is never the output ---------------------------------------------------------------


def test_output_onto_the_claim_file_is_refused_and_the_claim_kept(tmp_path, cmdline):
    claim = tmp_path / "c.tex"
    claim.write_text(RIGHT + "\n")
    refused(
        cmdline.run("verify", "example:deeplizard", *W, "--claim-file", "c.tex", "-o", "c.tex", cwd=tmp_path),
        "refusing",
    )
    link = tmp_path / "same.tex"
    os.link(claim, link)  # the same file by another name
    refused(cmdline.run("verify", "example:deeplizard", *W, "--claim-file", "c.tex", "-o", "same.tex", cwd=tmp_path))
    assert claim.read_text() == RIGHT + "\n"


def test_output_onto_a_preset_file_is_refused_and_the_preset_kept(tmp_path, cmdline):
    preset = tmp_path / "mine.toml"
    preset.write_text('name = "mine"\n')
    before = preset.read_bytes()
    done = cmdline.run(
        "derive", "--layers", "2,2", "--notation", "mine.toml", "--wrt", "w_{11}^{(L)}", "-o", "mine.toml", cwd=tmp_path
    )
    refused(done, "refusing")
    assert preset.read_bytes() == before


def test_output_onto_a_template_is_refused_and_the_template_kept(tmp_path, cmdline):
    folder = tmp_path / "tpl"
    folder.mkdir()
    shipped = (ROOT / "templates" / "derivation.txt.j2").read_bytes()
    (folder / "derivation.txt.j2").write_bytes(shipped)
    (folder / "extra.j2").write_text("mine\n")
    for target in ("tpl/derivation.txt.j2", "tpl/extra.j2"):
        refused(
            cmdline.run("derive", "example:deeplizard", *W, "--templates", "tpl", "-o", target, cwd=tmp_path),
            "refusing",
        )
    assert (folder / "derivation.txt.j2").read_bytes() == shipped and (folder / "extra.j2").read_text() == "mine\n"


# --- 5. input is a regular file of bounded size ------------------------------------------------------


def test_dev_zero_as_claim_or_spec_is_refused_at_once(tmp_path, cmdline):
    done = cmdline.process("verify", "example:deeplizard", *W, "--claim-file", "/dev/zero", cwd=tmp_path, timeout=20)
    refused(done, "/dev/zero", "not a regular file")
    refused(cmdline.process("verify", "/dev/zero", cwd=tmp_path, timeout=20), "/dev/zero", "not a regular file")


def test_a_fifo_as_claim_or_spec_is_refused_without_waiting(tmp_path, cmdline):
    os.mkfifo(tmp_path / "pipe")
    done = cmdline.process("verify", "example:deeplizard", *W, "--claim-file", "pipe", cwd=tmp_path, timeout=20)
    refused(done, "not a regular file")
    refused(cmdline.process("derive", "pipe", *W, cwd=tmp_path, timeout=20), "not a regular file")


def test_a_claim_file_over_the_bound_is_refused_naming_it(tmp_path, cmdline):
    (tmp_path / "big.tex").write_text(RIGHT + " " * (1 << 20))
    refused(cmdline.run("verify", "example:deeplizard", *W, "--claim-file", "big.tex", cwd=tmp_path), "1 MiB")


def test_a_spec_over_the_bound_is_refused_naming_it(tmp_path, cmdline):
    (tmp_path / "big.toml").write_text("layers = [2, 2]\n" + "#" * (4 << 20) + "\n")
    refused(cmdline.run("derive", "big.toml", "--wrt", "w_{11}^{(L)}", cwd=tmp_path), "4 MiB")


# --- 6. control characters in what an error names ----------------------------------------------------


@pytest.mark.parametrize("where", ["spec", "output"])
def test_control_characters_in_a_path_are_escaped_in_the_one_error_line(tmp_path, where, cmdline):
    hostile = "a\nb\x1b[31mc\x9b"
    argv = [hostile + ".toml", *W] if where == "spec" else ["example:deeplizard", *W, "-o", f"{hostile}/out.txt"]
    done = cmdline.run("derive", *argv, cwd=tmp_path)
    refused(done, "\\x1b[31m", "\\x9b")
    assert not any(ch in done.stderr[:-1] for ch in "\n\r\x1b\x9b"), repr(done.stderr)


# --- 7. SIGTERM during a PDF build ----------------------------------------------------------------


@NEEDS_TEX
def test_sigterm_during_a_pdf_build_removes_its_folder_and_writes_nothing(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = ["derive", "example:worked", "--wrt", "all", "--to", "pdf", "-o", "out.pdf"]  # TeX runs for seconds
    with subprocess.Popen(
        [sys.executable, "-m", "symbackprop", *command],
        cwd=tmp_path,
        env={**CHECKOUT, "TMPDIR": str(scratch)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        deadline = time.monotonic() + 60
        while not list(scratch.glob("symbackprop-tex-*")):
            assert process.poll() is None, "finished before its TeX folder was seen"
            assert time.monotonic() < deadline, "no symbackprop-tex-* folder within 60 s"
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Traceback" not in err, err
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "out.pdf").exists() and leftovers(tmp_path) == []


# --- 8. a failed verify writes no file ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", [[], ["--json"]])
def test_an_unreadable_claim_writes_no_report_and_keeps_the_old_one(tmp_path, fmt, cmdline):
    out = tmp_path / "report.txt"
    out.write_text("the previous report\n")
    done = cmdline.run(
        "verify", "example:deeplizard", *W, "--claim", r"2 \oops", *fmt, "-o", "report.txt", cwd=tmp_path
    )
    refused(done, "the claim cannot be read")
    assert out.read_text() == "the previous report\n"
    assert leftovers(tmp_path) == []
