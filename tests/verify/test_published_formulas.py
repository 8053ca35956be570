"""The held-out corpus of issue 16: published backpropagation formulas, entered as their sources print them
(published_formulas.toml says where each is from), each with mistakes planted in it.

Every claim goes down the command line's own path, ``symbackprop verify ... --claim LATEX --json``, and the test
asserts what the issue is judged by: each published formula "correct", each planted mistake "incorrect" with the
diagnosis a teacher would give (its ``kind`` in the JSON), not one "unparseable". A correct verdict states how it
was decided (a proof, or exact random points with the chance of error); an incorrect one gives a counterexample,
at one-hot targets where the network says the targets are one-hot, or says why there is none.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.commandline import CommandLine

CORPUS = tomllib.loads((Path(__file__).parent / "published_formulas.toml").read_text(encoding="utf-8"))
NETWORKS: dict[str, dict[str, str]] = CORPUS["networks"]
FORMULAS: list[dict[str, Any]] = CORPUS["formula"]
FLAGS = ("layers", "activation", "cost", "notation", "targets", "bias")


def _flags(network: str) -> list[str]:
    spec = NETWORKS[network]
    out = [spec["spec"]] if "spec" in spec else []
    for flag in FLAGS:
        if flag in spec:
            out += [f"--{flag}", spec[flag]]
    return out


def _verify(network: str, latex: str) -> dict[str, Any]:
    done = CommandLine().run("verify", *_flags(network), "--claim", latex, "--json")
    verdict = json.loads(done.stdout)
    assert done.returncode == {"correct": 0, "incorrect": 1, "unparseable": 2}[verdict["verdict"]], done.stderr
    return verdict


def _one_hot_counterexample(verdict: dict[str, Any]) -> None:
    """The targets of a counterexample are ones the spec allows: one-hot, every y 0 or 1 and at most one 1."""
    at = (verdict.get("counterexample") or {}).get("at", {})
    targets = [value for name, value in at.items() if name.startswith("y")]
    assert all(value in (0, 1) for value in targets) and sum(targets) <= 1, at


def test_the_corpus_is_whole():
    """Every formula cites its source and place, names a network the file defines, and every mistake its diagnosis;
    the five sources the issue names are all in it."""
    ids = [f["id"] for f in FORMULAS]
    assert len(ids) == len(set(ids))
    for formula in FORMULAS:
        assert formula["source"] and formula["where"] and formula["network"] in NETWORKS, formula["id"]
        assert all(m["diagnosis"] and m["latex"] != formula["latex"] for m in formula["mistakes"]), formula["id"]
    sources = " ".join(f["source"] for f in FORMULAS)
    for name in ("Nielsen", "Goodfellow", "CS231n", "Ng", "3Blue1Brown", "deeplizard"):
        assert name in sources


@pytest.mark.parametrize("formula", FORMULAS, ids=[f["id"] for f in FORMULAS])
def test_published_formula_is_correct_and_its_mistakes_are_diagnosed(formula):
    verdict = _verify(formula["network"], formula["latex"])
    assert verdict["verdict"] == "correct", (formula["id"], verdict.get("error"), verdict.get("diagnosis"))
    method = verdict["method"]
    assert method, verdict
    if "random" in method:  # a randomized identity test states its chance of error
        assert "probability at most" in method, method
    one_hot = NETWORKS[formula["network"]].get("targets") == "one-hot"
    for mistake in formula["mistakes"]:
        wrong = _verify(formula["network"], mistake["latex"])
        assert wrong["verdict"] == "incorrect", (formula["id"], mistake["what"], wrong.get("error"))
        assert (wrong.get("diagnosis") or {}).get("kind") == mistake["diagnosis"], (
            formula["id"],
            mistake["what"],
            wrong.get("diagnosis"),
        )
        assert wrong.get("counterexample") or wrong.get("no_counterexample") or "shapes" in mistake["diagnosis"], wrong
        if one_hot:
            _one_hot_counterexample(wrong)
