"""A working cut into its lines: the one piece of LaTeX the grader reads itself, and only to split it.

A student's working is several equalities, one a line, separated by ``\\\\`` (as in an ``align``
environment, with ``&`` marking where the lines align). This module finds those breaks and nothing
else: each line is then read by verify, whose grammar is the only reader of a formula. The scan is one
pass over the characters, so any text, however hostile, is split in time linear in its length: a
backslash takes the character after it along (``\\&`` stays, ``\\\\\\alpha`` is a break then ``\\alpha``),
a ``%`` comment runs to the end of its line, an unescaped ``&`` goes, and the environments that only
hold the lines (``align``, ``aligned``, ``eqnarray``, ``equation``, ``gather``, ``split``, their starred
forms) and the display delimiters around the whole (``$$``, ``\\[ \\]``) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..base.errors import SpecError

MAX_ANSWER_CHARS = 20_000  # a page of working is a few thousand characters
MAX_LINES = 60

_ENVIRONMENT = re.compile(
    r"\\(?:begin|end)\s*\{\s*(?:align|aligned|alignat|eqnarray|equation|gather|split|multline)\*?\s*\}"
)
_SPACING = re.compile(r"\*?\s*\[\s*-?[0-9.]{0,12}\s*(?:pt|em|ex|mm|cm|in|bp)?\s*\]")  # \\[2pt] after a break
_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"))


@dataclass(frozen=True)
class Line:
    """One line of a working: what verify is given, and where its value is (the text after its last ``=``)."""

    number: int  # 1-based, counting only the lines that hold something
    text: str  # as written, the alignment markers taken out
    claim: str  # what verify reads: the text, less a leading "=" (a line that continues the one before)
    value: str  # the expression the line ends with: the text after its last "=" outside braces


def lines_of(answer: str) -> list[Line]:
    """The lines of a working (one line for a single formula); a SpecError for text too long or empty.

    >>> [line.claim for line in lines_of(r"\\begin{align} \\frac{dC}{dw} &= 2(a - y) x \\\\ &= 2ax - 2yx \\end{align}")]
    ['\\\\frac{dC}{dw} = 2(a - y) x', '2ax - 2yx']
    """
    if len(answer) > MAX_ANSWER_CHARS:
        raise SpecError(f"the answer is {len(answer):,} characters long; at most {MAX_ANSWER_CHARS:,} are read")
    pieces = [" ".join(p.split()) for p in _split(_unwrapped(_ENVIRONMENT.sub(" ", answer)))]
    pieces = [p for p in pieces if p]
    if not pieces:
        raise SpecError("the answer is empty")
    if len(pieces) > MAX_LINES:
        raise SpecError(f"the working has {len(pieces)} lines; at most {MAX_LINES} are read")
    return [_line(n, p) for n, p in enumerate(pieces, start=1)]


def _unwrapped(text: str) -> str:
    """The text without one pair of display delimiters around the whole of it."""
    stripped = text.strip()
    for start, end in _DELIMITERS:
        if len(stripped) >= len(start) + len(end) and stripped.startswith(start) and stripped.endswith(end):
            return stripped[len(start) : len(stripped) - len(end)]
    return stripped


def _split(text: str) -> list[str]:
    """The pieces between line breaks ``\\\\``; ``&`` and ``%`` comments taken out, escaped characters kept."""
    pieces: list[str] = []
    current: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] == "\\":
            pieces.append("".join(current))
            current = []
            i += 2
            spacing = _SPACING.match(text, i)
            if spacing is not None:
                i = spacing.end()
        elif ch == "\\":
            current.append(text[i : i + 2])
            i += 2
        elif ch == "%":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch == "&":
            current.append(" ")
            i += 1
        else:
            current.append(ch)
            i += 1
    pieces.append("".join(current))
    return pieces


def _line(number: int, text: str) -> Line:
    claim = text[1:].strip() if text.startswith("=") else text
    return Line(number, text, claim, _after_last_equals(claim))


def _after_last_equals(text: str) -> str:
    """The text after the last ``=`` outside braces, brackets and parentheses (``\\sum_{j=0}`` keeps its own)."""
    depth, last = 0, -1
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth = max(depth - 1, 0)
        elif ch == "=" and depth == 0:
            last = i
        i += 1
    return text[last + 1 :].strip() if last >= 0 else text
