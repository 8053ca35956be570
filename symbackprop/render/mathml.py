"""LaTeX formulas as MathML, for the HTML page: the same formulas the LaTeX and Markdown documents print,
converted on our side (latex2mathml) so that the page needs no script, no font and no network, and a screen
reader reads each formula as mathematics.

Chromium renders MathML Core, a part of MathML: what latex2mathml writes outside it is rewritten here
(``\\boxed``'s ``menclose`` becomes a framed ``mrow``, a named function such as ReLU an ``mi``, not an ``mo``
that would be spaced as an operator), and an ``aligned`` display, which it does not lay out, is
built here as a table of its rows, each cell converted alone. A formula whose MathML would still hold TeX (a
backslash or a bare ``&``) is refused with an error naming it: no page shows raw TeX.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from ..base.errors import SpecError

_ALIGNED = re.compile(r"^\s*\\begin\{aligned\}(.*)\\end\{aligned\}\s*$", re.S)
_MATH_OPEN = re.compile(r"^<math[^>]*>")
_BARE_AMPERSAND = re.compile(r"&(?!#x?[0-9A-Fa-f]+;|[A-Za-z]+;)")
_MENCLOSE = re.compile(r'<menclose notation="box">(.*?)</menclose>', re.S)
_NAMED_OPERATOR = re.compile(r"<mo>([A-Za-z]{2,})</mo>")  # \operatorname{ReLU}, \tanh, \max: a function's name


def mathml(tex: str, display: bool = False) -> Markup:
    r"""The formula ``tex`` as a MathML element, inline or as a display.

    >>> print(mathml(r"x_{1}"))
    <math display="inline"><mrow><msub><mi>x</mi><mrow><mn>1</mn></mrow></msub></mrow></math>
    """
    if isinstance(tex, Markup):  # a block of a template, whose values the page's escaping has already escaped
        tex = tex.unescape()
    mode = "block" if display else "inline"
    aligned = _ALIGNED.match(tex)
    body = _table(aligned.group(1), mode) if aligned else _inner(tex, mode)
    out = f'<math display="{mode}">{body}</math>'
    if "\\" in out or _BARE_AMPERSAND.search(out):
        raise SpecError(f"the formula {tex.strip()[:80]!r} cannot be shown as MathML")
    return Markup(out)


def _inner(tex: str, mode: str) -> str:
    """The MathML of ``tex`` without its ``math`` element, ``\\boxed`` as a framed row (MathML Core has no
    ``menclose``); an empty formula (an empty cell) an empty row."""
    if not tex.strip():
        return "<mrow></mrow>"
    from latex2mathml.converter import convert  # 30 ms to import, paid by a web page only, not by every render

    try:
        out = _MATH_OPEN.sub("", convert(tex, display=mode)).removesuffix("</math>")
    except Exception as err:  # latex2mathml raises its own errors, and others, on TeX it cannot read
        raise SpecError(f"the formula {tex.strip()[:80]!r} cannot be shown as MathML ({type(err).__name__})") from None
    out = _NAMED_OPERATOR.sub(r"<mi>\1</mi>", out)  # set upright as a name, without an operator's wide spacing
    # \left( \right) cover what they enclose, not twice its height above the axis (a superscript made them huge)
    out = out.replace('stretchy="true" fence="true"', 'stretchy="true" symmetric="false" fence="true"')
    return _MENCLOSE.sub(r'<mrow class="boxed">\1</mrow>', out)


def _table(body: str, mode: str) -> str:
    """An ``aligned`` environment's rows (split at ``\\\\``) and cells (split at ``&``), right then left aligned."""
    rows = [row for row in re.split(r"\\\\\*?", body) if row.strip()]
    cells = ("".join(f"<mtd>{_inner(cell, mode)}</mtd>" for cell in row.split("&")) for row in rows)
    return '<mtable class="aligned">' + "".join(f"<mtr>{row}</mtr>" for row in cells) + "</mtable>"


def inline_math(tex: str) -> Markup:
    """The ``math`` filter: a formula in running text."""
    return mathml(tex)


def display_math(tex: str) -> Markup:
    """The ``display`` filter: a formula set on its own line."""
    return mathml(tex, display=True)
