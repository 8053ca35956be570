"""The command line starts fast: --help and a usage error import none of SymPy, NumPy or Jinja2 (each is imported
once a command runs), and the package's public names are there when first used."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from ..commandline import CHECKOUT

HEAVY = ("sympy", "numpy", "jinja2")
PROBE = """
import sys
from symbackprop.cli import main
status = main({argv!r})
print(status, sorted(m for m in {heavy!r} if m in sys.modules))
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["derive", "--help"], ["evaluate", "--seed=-5"], ["nosuch"], ["verify", "--learning-rate", "1"]],
    ids=lambda a: " ".join(a),
)
def test_help_and_usage_errors_import_nothing_heavy(argv):
    code = PROBE.format(argv=argv, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=CHECKOUT, timeout=60)
    status, imported = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status in ("0", "2")
    assert imported == "[]", f"imported {imported} for {argv}"


def test_the_public_names_are_imported_when_first_used():
    code = (
        "import sys, symbackprop as sbp; a = 'sympy' in sys.modules; n = sbp.Network(layers=[1, 1]); print(a, n.layers)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=CHECKOUT, timeout=60)
    assert done.stdout.strip() == "False (1, 1)", done.stderr
    with pytest.raises(AttributeError, match="has no attribute 'nosuch'"):
        import symbackprop

        symbackprop.nosuch  # noqa: B018


def test_derive_and_prove_are_the_functions_after_their_stages_are_imported():
    code = (
        "import symbackprop.derive.derivation, symbackprop.prove.proof\n"
        "import symbackprop as sbp\n"
        "d = sbp.derive(sbp.Network(layers=[1, 1]), 'w^{(L)}')\n"
        "print(callable(sbp.derive), callable(sbp.prove), sbp.prove(d).verdict)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=CHECKOUT, timeout=120)
    assert done.stdout.strip() == "True True proven", done.stderr


# What a derivation of a network without numbers never uses: the claim reader (lark, verify), the grader, the code
# generator, NumPy and the numeric stage, the graphs' reader and the layer stacks (issue 20: derive text within 1.5
# times SymPy's import).
UNUSED = (
    "lark",
    "regex",
    "numpy",
    "symbackprop.verify",
    "symbackprop.grade",
    "symbackprop.codegen",
    "symbackprop.numeric",
    "symbackprop.syntax",
    "symbackprop.model.graph_reading",
    "symbackprop.model.layers.layer_graph",
    "symbackprop.render.graph_document",
    "symbackprop.render.latex_build",
    "symbackprop.derive.second",
)


def test_a_derivation_to_text_imports_only_what_it_uses():
    """A derivation reads no formula, grades nothing, computes no number and states no spot check in text."""
    code = PROBE.format(argv=["derive", "example:3b1b", "--wrt", "w^{(L)}"], heavy=(*UNUSED, "sympy", "jinja2"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=CHECKOUT, timeout=120)
    status, imported = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "0", done.stderr
    assert imported == "['jinja2', 'sympy']"


@pytest.mark.parametrize(
    ("argv", "numbers"),
    [
        (["derive", "example:3b1b", "--wrt", "w^{(L)}", "--to", "tex"], ["numpy"]),  # its spot check
        (["derive", "example:mazur", "--wrt", "w_{11}^{(1)}"], ["numpy", "symbackprop.numeric"]),  # its [values]
        (["derive", "example:circuit", "--wrt", "x"], ["numpy", "symbackprop.numeric", "symbackprop.syntax"]),
    ],
    ids=["tex", "values", "graph"],
)
def test_what_a_derivation_does_not_import_is_imported_where_it_is_used(argv, numbers):
    """The modules left out of a derivation to text are still there for the documents that use them."""
    code = PROBE.format(argv=argv, heavy=UNUSED)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=CHECKOUT, timeout=120)
    status, imported = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "0", done.stderr
    assert set(numbers) <= set(ast.literal_eval(imported)), imported
