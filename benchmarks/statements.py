"""Where the generated NumPy gradient's time goes: each statement of its body, timed on its own.

The module's ``gradient`` is cut after each statement of its body (a prefix of k statements, returning nothing),
and every prefix is timed, the prefixes taking turns round by round, the best round counting; a statement's
time is its prefix's time minus the one before. One thread, OpenBLAS's own kernel, as ``run.py`` runs.
A statement's increment is a difference of two best rounds, each with its own noise: a cheap statement can read
below zero by as much as the rounds vary (10-15 us at batch 64 on a 2-core machine), so read the large ones.

    python3 benchmarks/statements.py 784-128-64-10 relu+CE float32 64

The pairs are section 1's (``gradient_code.PAIRS``); the inputs are its inputs (``gradient_code.inputs``).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path
from typing import cast

from timing import calls_for, per_call, single_thread

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def prefixes(source: str) -> tuple[list[str], list[str]]:
    """The top-level statements of ``gradient``'s body but its docstring and ``return`` (each as its source text,
    an ``if`` block whole), and the module's source cut after each of them, returning None there."""
    lines = source.splitlines()
    function = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "gradient")
    body = [n for n in function.body if not isinstance(n, ast.Return)]
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    said = ["\n".join(lines[n.lineno - 1 : n.end_lineno]) for n in body]
    end = cast(int, function.end_lineno)
    head, tail = "\n".join(lines[: body[0].lineno - 1]), "\n".join(lines[end:])
    cut = [f"{head}\n" + "\n".join(said[:k]) + f"\n    return None\n{tail}\n" for k in range(1, len(said) + 1)]
    return said, cut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("layers", help="widths, e.g. 784-128-64-10")
    parser.add_argument("pair", help="sigmoid+sse, relu+CE or sigmoid+CE")
    parser.add_argument("dtype", choices=["float32", "float64"])
    parser.add_argument("batch", type=int)
    args = parser.parse_args()
    single_thread()
    import gradient_code  # after single_thread(): NumPy reads its thread count once, when it loads

    from symbackprop.codegen.modules import module_source

    layers = tuple(int(width) for width in args.layers.split("-"))
    case = gradient_code.Case(layers, args.pair)
    statements, cut = prefixes(module_source(case.network()))
    x, y, w, b = gradient_code.inputs(layers, args.batch, args.dtype)
    works = {}
    for k, source in enumerate(cut):
        namespace: dict = {}
        exec(compile(source, f"prefix {k + 1}", "exec"), namespace)
        works[k] = lambda f=namespace["gradient"]: f(x, y, w, b)
    calls = calls_for(works[len(cut) - 1], 0.05)
    best = per_call(works, calls, rounds=15, pause=0.0)
    print(f"{args.layers} {args.pair} {args.dtype} batch {args.batch}: us per statement, us so far")
    before = 0.0
    for k, statement in enumerate(statements):
        first = statement.strip().splitlines()[0]
        print(f"{(best[k] - before) * 1e6:9.1f} {best[k] * 1e6:9.1f}  {first[:100]}")
        before = best[k]


if __name__ == "__main__":
    main()
