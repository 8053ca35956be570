"""A template someone else wrote (--templates) can lay out the data it is given, and do nothing else.

Each attack is a template in the user's folder. Whatever it tries (calling a method of an object, reaching
Python through an attribute, reading a file, making a size bomb, running forever), the command ends within its
limits with exit status 2 and one line naming the template folder, creates no file and reads no outside file into
its output.
"""

from __future__ import annotations

import os
import time
from dataclasses import astuple
from pathlib import Path

import pytest

from symbackprop.render.data import NotPlainData, plain

DERIVE = ["derive", "example:worked", "--wrt", "w_{00}^{(L)}"]

# Every object a template receives has been an attack surface: SymPy expressions (whose methods parse strings into
# Python), the derivation (whose methods render other folders), the network (which reads files), NumPy floats
# (``tofile``), Jinja's own globals. Each line tries one door; the marker file must never appear.
ESCAPES = [
    "\\VAR{ d.result.subs('q', \"__import__('os').system('touch PWNED') or 1\") }",
    "\\VAR{ d.symbol.func('x') }",
    "\\VAR{ d.result.evalf(1000000) }",
    "\\VAR{ d.latex(user_templates='/etc') }",
    "\\VAR{ d.network.from_toml('/etc/passwd') }",
    "\\VAR{ d.check() }",
    "\\VAR{ d.target.kind.__class__ }",
    "\\VAR{ d.symbol.text.__class__.__mro__[1].__subclasses__() }",
    "\\VAR{ ''.__class__.__mro__[1].__subclasses__() }",
    "\\VAR{ (1).__class__.__base__ }",
    "\\VAR{ d | attr('__class__') }",
    "\\VAR{ numbers.mean.tofile('PWNED') }",
    "\\VAR{ numbers.per_sample[0].hex.__self__.__class__ }",
    "\\VAR{ cycler.__init__.__globals__.os.system('touch PWNED') }",
    "\\VAR{ lipsum.__globals__['os'].popen('touch PWNED').read() }",
    "\\VAR{ joiner() }",
    "\\VAR{ range.__self__ }",
    "\\VAR{ namespace.__init__.__globals__ }",
    "\\VAR{ self._TemplateReference__context }",
    "\\VAR{ '{0.__class__.__init__.__globals__}'.format(d) }",
    "\\BLOCK{ set _ = net.layers.append(9) }",
    "\\BLOCK{ set _ = net.notation.update({'cost_symbol': 'x'}) }",
    "\\BLOCK{ set _ = d.__setattr__('x', 1) }",
    "\\VAR{ proof.__class__ }",
    "\\VAR{ figure.neurons[0].__dict__ }",
    "\\VAR{ 'x' | tex }",
    "\\VAR{ d.symbol | text | tex }",
    "\\BLOCK{ include '/etc/passwd' }",
    "\\BLOCK{ include '../../../../../../etc/passwd' }",
    "\\BLOCK{ extends '/etc/hostname' }",
    "\\BLOCK{ import '../outside.j2' as x }\\VAR{ x }",
    "\\VAR{ range(10**9) | list | length }",
    "\\VAR{ 'x' * 1000000000 }",
    "\\VAR{ [0] * 1000000000 }",
    "\\VAR{ 1000000000 * 'x' }",
    "\\VAR{ 10**(10**10) }",
    "\\VAR{ 7**10000000 }",
    "\\VAR{ 'x'.ljust(10**9) }",
    "\\VAR{ 'x'.center(2000000000) }",
    "\\VAR{ 'x' | center(1000000000) }",
    "\\VAR{ 'x' | indent(1000000000, true) }",
    "\\BLOCK{ macro m() }\\VAR{ m() }\\BLOCK{ endmacro }\\VAR{ m() }",
    "\\VAR{ dict.update(d, {'symbol': 1}) }\\VAR{ 'x' | tex }",  # the type's method, past the instance check
    "\\VAR{ dict.clear(d.symbol) or '' }\\VAR{ d.symbol | tex }",
    "\\VAR{ d.symbol.__class__.update(d.symbol, {}) }",
    "\\VAR{ (d | attr('keys')).__self__ }",
    "\\VAR{ net.notation.__class__.clear(net.notation) }",
]


@pytest.mark.parametrize("attack", ESCAPES)
def test_an_escape_through_what_a_template_receives_ends_in_one_line_and_no_file(attack, tmp_path, cmdline):
    (tmp_path / "outside.j2").write_text("\\VAR{ 'outside' }")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "derivation.txt.j2").write_text(attack + "\n")
    status, out, err = astuple(cmdline.run(*DERIVE, "--templates", "mine", "-o", "out.txt", cwd=tmp_path))
    assert status == 2, (attack, out, err)
    assert err.count("\n") == 1 and "a template in mine" in err and "internal error" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "outside.j2"]  # no PWNED, no out.txt
    assert "root:" not in out + err


def test_the_issue_attack_runs_no_command_as_the_command_line_runs_it(tmp_path, cmdline):
    """The attack the report found, as a user would run it: a file written by a shell command, exit 0. Now exit 2."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "derivation.txt.j2").write_text(ESCAPES[0].replace("touch PWNED", "id > pwned") + "\n")
    done = cmdline.process("derive", "example:3b1b", "--wrt", "w^{(L)}", "--templates", "mine", cwd=tmp_path)
    assert done.returncode == 2 and "a template in mine" in done.stderr
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "PWNED").exists()


BOUNDS = [
    # (template, what the one line says): each stops within the limits, not after minutes and gigabytes
    (
        "\\BLOCK{ set ns = namespace(s='x') }\\BLOCK{ for i in range(60) }\\BLOCK{ set ns.s = ns.s ~ ns.s }"
        "\\BLOCK{ endfor }\\VAR{ ns.s | length }",
        "ran out of memory, past the limit of 1024 MiB",
    ),
    ("\\BLOCK{ for i in range(100000) }\\BLOCK{ for j in range(100000) }\\BLOCK{ endfor }\\BLOCK{ endfor }", "8 s"),
    ("\\BLOCK{ for i in range(100000) }\\VAR{ 'x' * 9000000 }\\BLOCK{ endfor }", "50,000,000 characters"),
    ("\\VAR{ '{:99999999}'.format(1) }", "50,000,000 characters"),
]


@pytest.mark.parametrize(("attack", "says"), BOUNDS, ids=["memory", "time", "output", "format-width"])
def test_a_size_or_time_bomb_ends_within_the_limits_with_one_line(attack, says, tmp_path, cmdline):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "derivation.txt.j2").write_text(attack + "\n")
    args = [*DERIVE, "--templates", "mine", "-o", "out.txt", "--time-limit", "8", "--memory-limit", "1024"]
    start = time.monotonic()
    done = cmdline.process(*args, cwd=tmp_path, timeout=60)
    took = time.monotonic() - start
    assert done.returncode == 2, (done.stdout[:200], done.stderr)
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
    assert took < 8 + 5 + 5  # the limit, the child's grace to clean up, and starting Python
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link_to_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _directory(path: Path) -> None:
    path.mkdir()


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere.j2")


def _too_large(path: Path) -> None:
    path.write_text("x" * (1 << 20) + "\\VAR{ 1 }")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_fifo, "derivation.txt.j2: not a regular file"),
        (_link_to_zero, "derivation.txt.j2: reached through a link leading out of the folder"),
        (_directory, "derivation.txt.j2: a directory"),
        (_dangling, "derivation.txt.j2: a link to nothing"),
        (_too_large, "larger than 1 MiB, the most a template may be"),
    ],
    ids=["fifo", "dev-zero", "directory", "dangling-link", "too-large"],
)
def test_a_template_that_is_not_a_regular_file_is_an_error_naming_it_never_skipped(make, says, tmp_path, cmdline):
    mine = tmp_path / "mine"
    mine.mkdir()
    make(mine / "derivation.txt.j2")
    done = cmdline.run(*DERIVE, "--templates", "mine", cwd=tmp_path)
    assert done.returncode == 2, done.stdout[:300]
    assert done.stderr.count("\n") == 1 and says in done.stderr and "a template in mine" in done.stderr
    assert done.stdout == ""


def test_a_fifo_among_the_shipped_template_names_fails_at_once_for_latex_too(tmp_path, cmdline):
    mine = tmp_path / "mine"
    mine.mkdir()
    os.mkfifo(mine / "macros.tex.j2")
    done = cmdline.run(*DERIVE, "--to", "tex", "--templates", "mine", cwd=tmp_path)
    assert done.returncode == 2 and "macros.tex.j2: not a regular file" in done.stderr


def test_every_context_a_template_receives_is_plain_data():
    """The check itself: a NumPy float, a SymPy expression or a str subclass anywhere in a context is refused."""
    import numpy as np
    import sympy as sp

    plain({"a": [1, 2.5, "x", None, True, {"b": (1, "y")}]})
    shared = {"s": "x"}
    plain({"first": shared, "second": [shared, shared]})
    for bad in (np.float64(1.0), sp.Symbol("x"), type("S", (str,), {})("x"), {1: "x"}, object()):
        with pytest.raises(NotPlainData):
            plain({"deep": [{"deeper": bad}]})


def test_a_document_holding_a_lone_surrogate_is_one_line_not_an_internal_error(tmp_path, cmdline):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "derivation.txt.j2").write_text('x\\VAR{ "\\udc80" }y\n')
    done = cmdline.run(*DERIVE, "--templates", "mine", "-o", "out.txt", cwd=tmp_path)
    assert done.returncode == 2 and "holds a lone surrogate (U+DC80)" in done.stderr
    assert not (tmp_path / "out.txt").exists()


def test_the_checks_are_made_on_the_file_opened_not_on_its_name(tmp_path):
    """A name swapped for a link between a check and the read would get past checks made on the name: the
    loader checks the descriptor it opened, so an opened file outside the folder is refused however it was reached."""
    import jinja2

    from symbackprop.render.environment import UserLoader

    mine = tmp_path / "mine"
    mine.mkdir()
    outside = tmp_path / "secret.j2"
    outside.write_text("SECRET")
    fd = os.open(outside, os.O_RDONLY)
    try:
        with pytest.raises(jinja2.TemplateError, match="a link leading out of the folder"):
            UserLoader(str(mine))._read(fd, "derivation.txt.j2")
    finally:
        os.close(fd)
