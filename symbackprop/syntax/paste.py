"""A claim as pasted from a .tex file or a web page, reduced to its formula before it is parsed.

Comments, a document's preamble, a display's delimiters ($$...$$, \\[...\\]) and environment
(eqnarray, align, equation, ...), labels, \\nonumber, row spacing, \\hspace, the invisible
delimiters \\left. and \\right., closing punctuation, and a row break inside one side (the next
row going on with + or -) carry no mathematics. Each is overwritten with spaces (line breaks
kept), so the text keeps its length and every position a later stage reports still points into
the text as given. The brackets are checked here too, so an unclosed one is named where it
opens. Nothing is executed: this is string work on the characters, and \\input or \\write18 stay
unknown commands.
"""

from __future__ import annotations

import re

from .errors import ClaimError, line_column

# The displays a formula is pasted in; their rows are the sides of one claim.
ENVIRONMENTS = (
    "equation",
    "eqnarray",
    "align",
    "alignat",
    "flalign",
    "gather",
    "multline",
    "split",
    "aligned",
    "alignedat",
    "gathered",
    "displaymath",
    "math",
)
_ENV = "|".join(ENVIRONMENTS)
_BEGIN = re.compile(rf"\\begin\s*\{{\s*({_ENV})(\*?)\s*\}}(\s*\{{\s*\d+\s*\}})?")
_END = re.compile(rf"\\end\s*\{{\s*({_ENV})(\*?)\s*\}}")
_ANY_ENV = re.compile(r"\\(begin|end)\s*\{\s*([^{}\s]*)\s*\}")
_DOCUMENT_START = re.compile(r"\\begin\s*\{\s*document\s*\}")
_DOCUMENT_END = re.compile(r"\\end\s*\{\s*document\s*\}")
_MARKUP = re.compile(
    r"\\(label|tag\*?|eqref)\s*\{[^{}]*\}"  # a label or a tag: a name, not mathematics
    r"|\\hspace\*?\s*\{\s*-?\d*\.?\d+\s*(pt|em|ex|mm|cm|in|bp|pc|mu)\s*\}"  # a space in a row: & \hspace{1cm} +
    r"|\\(nonumber|notag)(?![A-Za-z])"
    r"|(?<=\\\\)\*?\s*\[\s*-?\d*\.?\d+\s*(pt|em|ex|mm|cm|in|bp|pc|mu)\s*\]"  # \\[2pt]: space after a row
    r"|(?<=\\\\)\*"  # \\*: a row break that forbids a page break
)
_ROW_END_PUNCTUATION = re.compile(r"(\\text\s*\{\s*[.,;]\s*\}|(?<!\.)[.,;])(?=\s*\\\\)")
_TRAILING = re.compile(r"(\\text\s*\{\s*[.,;]\s*\}|(?<!\.)[.,;]|\\[,;:! ]|\\q?quad(?![A-Za-z]))\s*$")
_DELIMITERS = (("$$", "$$"), ("$", "$"), ("\\[", "\\]"), ("\\(", "\\)"))
_INVISIBLE = re.compile(r"\\(left|right)\s*\.")  # \left. \right.: no delimiter, there to pair one across rows
_SPACING = r"(?:\s|&|\\[,;:! ]|\\q?quad(?![A-Za-z]))*"  # what a row's alignment and spacing add: nothing
_OPERATOR = r"(?:[+-]|\\(?:cdot|times)(?![A-Za-z]))"
_CONTINUES = re.compile(_SPACING + _OPERATOR)  # a row that goes on with + - \cdot \times
_CONTINUED = re.compile(_OPERATOR + _SPACING + r"$")  # a row that ends with one
LOOK_BACK = 64  # characters before a row break looked at for the operator it follows
_SIZED = re.compile(r"\\(left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![A-Za-z])\s*")
_OPENERS, _CLOSERS = "([{", ")]}"
MAX_WRAPPERS = 4  # displays inside displays: $\\begin{equation}\\begin{split} ... is three
MAX_TRAILING = 4  # closing marks: \\text{.} after a \\, is two


def formula(text: str) -> str:
    """``text`` with everything but the formula blanked out, at the same length."""
    text = _without_comments(text)
    text = _INVISIBLE.sub(_blank, text)  # before punctuation: the . of \right. is no full stop
    text = _without_document(text)
    text = _without_wrappers(text)
    text = _MARKUP.sub(_blank, text)
    text = _ROW_END_PUNCTUATION.sub(_blank, text)
    _refuse_other_environments(text)
    return _without_continuations(_without_trailing_punctuation(text))


def _blank(match: re.Match[str]) -> str:
    return _spaces(match.group(0))


def _spaces(text: str) -> str:
    """Spaces in place of ``text``, its line breaks kept so lines and columns still count."""
    return "".join(ch if ch == "\n" else " " for ch in text)


def _without_comments(text: str) -> str:
    """A % to the end of its line is a comment; \\% is a percent sign, and \\\\% a row break then a comment."""
    out, i = list(text), 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "%":
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
            continue
        i += 1
    return "".join(out)


def _without_document(text: str) -> str:
    """A whole .tex file: the preamble up to \\begin{document}, and \\end{document} on, are not the formula."""
    start = _DOCUMENT_START.search(text)
    if start is not None:
        text = _spaces(text[: start.end()]) + text[start.end() :]
    end = _DOCUMENT_END.search(text)
    if end is not None:
        text = text[: end.start()] + _spaces(text[end.start() :])
    return text


def _without_wrappers(text: str) -> str:
    """Peel the display around the formula, as often as it is wrapped: $\\begin{eqnarray*}...\\end{eqnarray*}$,
    \\begin{equation}\\begin{split}...\\end{split}\\end{equation}, $$...$$, \\[...\\], \\(...\\)."""
    for _ in range(MAX_WRAPPERS):
        text = _without_trailing_punctuation(text)
        first, last = len(text) - len(text.lstrip()), len(text.rstrip())
        inner = text[first:last]
        peeled = _peel_delimiters(inner) or _peel_environment(inner)
        if peeled is None:
            return text
        text = text[:first] + peeled + text[last:]
    return text


def _peel_delimiters(inner: str) -> str | None:
    for left, right in _DELIMITERS:
        if len(inner) > len(left) + len(right) and inner.startswith(left) and inner.endswith(right):
            return " " * len(left) + inner[len(left) : len(inner) - len(right)] + " " * len(right)
    return None


def _peel_environment(inner: str) -> str | None:
    begin = _BEGIN.match(inner)
    if begin is None:
        return None
    ends = list(_END.finditer(inner))
    end = ends[-1] if ends else None
    if end is None or end.end() != len(inner) or end.group(1, 2) != begin.group(1, 2):
        return None
    return _spaces(inner[: begin.end()]) + inner[begin.end() : end.start()] + _spaces(inner[end.start() :])


def _without_continuations(text: str) -> str:
    """A row break inside one side is no break: the row after it goes on with an operator (&&+ \\dots,
    &\\quad - x), or the row before it ends with one. Only \\\\ outside braces (a \\substack's stay)."""
    out, depth, i = list(text), 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if text.startswith("\\\\", i) and depth == 0:
                after = _CONTINUES.match(text, i + 2) is not None
                if after or _CONTINUED.search(text[max(0, i - LOOK_BACK) : i]) is not None:
                    out[i : i + 2] = "  "
            i += 2
            continue
        depth += (ch == "{") - (ch == "}")
        i += 1
    return "".join(out)


def _refuse_other_environments(text: str) -> None:
    """An environment left inside the formula is a second display, a matrix or a document's text: named."""
    found = _ANY_ENV.search(text)
    if found is None:
        return
    which, name = found.group(1), found.group(2)
    if name.rstrip("*") in ENVIRONMENTS or name == "document":
        message = (
            f"\\{which}{{{name}}} inside the formula: a claim is one formula, in at most one display; "
            "paste that display alone (text around it is not read)"
        )
    else:
        message = f"the environment {name} is not understood in a claim"
    raise ClaimError(message, found.start() + 1)


def _without_trailing_punctuation(text: str) -> str:
    """A display's closing \\text{.} or \\text{,}, a plain "." or ",", or a space before them, becomes spaces
    (a few of them: each is looked for in the last characters only, so a hostile text costs no more)."""
    for _ in range(MAX_TRAILING):
        end = len(text.rstrip())
        m = _TRAILING.search(text, max(0, end - 32), end)
        if m is None:
            break
        text = text[: m.start()] + _spaces(text[m.start() :])
    return text


def check_brackets(text: str, deepest: int) -> None:
    """Every ( [ { closed by its own kind, nested at most ``deepest`` deep; else a ClaimError at the bracket
    that is never closed, closes nothing, or closes the wrong kind. \\left( and \\right) count as ( and )."""
    stack: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        ch, start = text[i], i
        if ch == "\\":
            sized = _SIZED.match(text, i)
            if sized is None or sized.end() >= len(text) or text[sized.end()] not in _OPENERS + _CLOSERS:
                i += 2  # any other command, or an escaped \{ \}
                while i < len(text) and text[i - 1].isalpha() and text[i].isalpha():
                    i += 1
                continue
            i = sized.end()
            ch = text[i]
        if ch in _OPENERS:
            stack.append((ch, start))
            if len(stack) > deepest:
                raise ClaimError(f"groups are nested more than {deepest} deep", start + 1)
        elif ch in _CLOSERS:
            _close(text, stack, ch, start)
        i += 1
    if stack:
        ch, start = stack[-1]
        raise ClaimError(f"this {_shown(text, start)} is never closed", start + 1)


def _close(text: str, stack: list[tuple[str, int]], ch: str, at: int) -> None:
    if not stack:
        message = f"this {_shown(text, at)} closes nothing: there is no {_pair(ch)} before it"
        raise ClaimError(message, at + 1)
    opener, start = stack.pop()
    if _CLOSERS.index(ch) != _OPENERS.index(opener):
        line, column = line_column(text, start + 1)
        raise ClaimError(
            f"this {_shown(text, at)} does not close the {_shown(text, start)} opened at line {line}, column {column}",
            at + 1,
        )


def _pair(closer: str) -> str:
    return "'" + _OPENERS[_CLOSERS.index(closer)] + "'"


def _shown(text: str, at: int) -> str:
    """A bracket as written: '(' or '\\left('."""
    sized = _SIZED.match(text, at) if text[at] == "\\" else None
    end = sized.end() + 1 if sized is not None else at + 1
    return "'" + re.sub(r"\s+", "", text[at:end]) + "'"
