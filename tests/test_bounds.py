"""Bounds: a request too large is refused at once, saying how large it is and what to ask for instead."""

from __future__ import annotations

import subprocess
import sys
import time
from math import prod

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.bounds import parameters, paths

from .strategies import networks, references


def chains_in(d) -> int:
    """Paths counted from the derivation itself: each chain, times the paths of its deferred factor."""
    return sum(prod(chains_in(f.deferred) if f.deferred else 1 for f in c.factors) for c in d.chains)


@given(st.data())
def test_the_path_count_is_the_derivations_own(data):
    net = data.draw(networks(max_depth=3, max_width=3))
    ref = data.draw(references(net))
    assert paths(net, ref) == chains_in(net.derive(ref))


def test_parameters_counts_weights_and_biases():
    assert parameters(sbp.Network(layers=[2, 3, 2], bias="neuron")) == 6 + 6 + 3 + 2
    assert parameters(sbp.Network(layers=[2, 3, 2], bias="layer")) == 12 + 2
    assert parameters(sbp.Network(layers=[2, 3, 2], bias="none")) == 12


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symbackprop", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("derive", "--layers", "784,128,64,10", "--wrt", "w_{00}^{(1)}"), "109,386 weights and biases"),
        (("derive", "--layers", "12,30,30,30,30,30", "--wrt", "w_{00}^{(1)}"), "810,000 paths"),
        (("derive", "--layers", "10,20,20,10", "--wrt", "all", "--to", "tex"), "refused above 600"),
        (("gradcheck", "--layers", "10,20,20,10"), "more than 400 is refused"),
        (("verify", "--layers", "784,128,64,10", "--wrt", "w_{00}^{(L)}", "--claim", "a"), "up to 1,500"),
    ],
)
def test_too_large_is_refused_at_once(args, words):
    start = time.monotonic()
    done = run(*args)
    assert time.monotonic() - start < 30
    assert done.returncode == 2
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def wide(width: int, count: int) -> str:
    """--layers for ``count`` layers of ``width`` neurons."""
    return ",".join([str(width)] * count)


def timed(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = run(*args)
    return done, time.monotonic() - start


def test_a_chain_deeper_than_the_index_letters_is_derived_with_subscripted_letters():
    from symbackprop.derivation import compact_form

    net = sbp.Network(layers=[1] * 14 + [2, 2])
    letters = {str(s) for s in compact_form(net, net.ref("a_0^{(0)}")).atoms(sp.Symbol)}
    assert {"j_3", "j_4"} <= letters  # j_1 and j_2 went to layers of one neuron, which need no sum
    done = run("derive", "--layers", wide(1, 21), "--wrt", "w^{(1)}")  # StopIteration, exit 3
    assert done.returncode == 0, done.stderr
    assert "Check: proven" in done.stdout
