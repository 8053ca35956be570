"""What a document may say to TeX: a vocabulary of layout and mathematics, and nothing that reads or writes a file.

pdfTeX can read any file the process can (``\\pdfobj ... file``, ``\\pdfximage``, ``\\pdfmapfile`` do not ask
kpathsea's ``openin_any``), and TeX can build a command's name out of characters (``\\csname``, ``\\string``,
catcode changes, ``^^`` notation, ``\\begin{pdfobj}``). So a document is not checked for bad names, which can be
spelled in endless ways; it is checked against the names it may use:

- every control word is one of ``WORDS`` (layout, mathematics, TikZ drawing), every control symbol one of
  ``SYMBOLS``; nothing that defines by name, expands, changes catcodes or touches files is among them;
- ``^^`` (TeX's notation for any character, a backslash included) does not appear;
- the names given to ``\\begin``, ``\\end``, ``\\usepackage``, ``\\documentclass``, ``\\usetikzlibrary`` and
  ``\\definecolor``'s model are literal and from their lists, since LaTeX turns those into command names.

A comment (``%`` to the end of the line) is not read by TeX and not checked; the names are read from the text with
its comments blanked out, as TeX reads it (``\\usepackage[%]{tikz}`` then a new line names what follows). A control
character other than a tab or a line feed is refused: TeX ends a line at a carriage return, so one inside a comment
would end the comment and let what follows it through unread by the check. The PDF build runs this check on every
document, then runs pdflatex confined to its folder (``latex_build``); docs/limits.md says what holds.
"""

from __future__ import annotations

import re

from ..base.errors import SpecError
from .tex_characters import MATH

_TEXT = """
    documentclass usepackage begin end section subsection subsubsection paragraph subparagraph par
    textbf textit textsl textsc textsf texttt textrm textup textmd textnormal emph underline em bf it rm sf tt
    sc bfseries itshape mdseries upshape slshape scshape rmfamily sffamily ttfamily normalfont
    tiny scriptsize footnotesize small normalsize large Large LARGE huge Huge
    centering raggedright raggedleft noindent indent newline linebreak nolinebreak pagebreak nopagebreak
    allowbreak newpage clearpage cleardoublepage vspace hspace vfill hfill medskip smallskip bigskip smallbreak medbreak
    bigbreak quad qquad enspace thinspace negthinspace enskip kern mbox makebox fbox framebox parbox raisebox
    boxed item label ref eqref pageref footnote footnotemark footnotetext today maketitle title author date
    thanks tableofcontents listoffigures listoftables caption hline cline toprule midrule bottomrule cmidrule
    addlinespace multicolumn tabularnewline arraystretch tabcolsep arraycolsep renewcommand newcommand
    setlength addtolength linewidth textwidth textheight columnwidth paperwidth paperheight baselineskip
    parindent parskip stretch fill pagestyle thispagestyle setcounter addtocounter stepcounter
    value arabic roman Roman alph Alph color textcolor colorbox fcolorbox definecolor pagecolor
    allowdisplaybreaks displaybreak intertext shortintertext tag notag nonumber checkmark
    ldots dots dotsc dotsb dotsm dotsi dotso cdots vdots ddots textbullet textendash textemdash
    textquoteleft textquoteright textquotesingle textquotedblleft textquotedblright textasciitilde textasciicircum
    textbackslash textbar textless textgreater textdagger textdaggerdbl textsection textparagraph
    textperiodcentered textregistered texttrademark textcopyright textdegree textcelsius texteuro
    ensuremath LaTeX TeX relax protect strut mathstrut phantom hphantom vphantom smash centerline rule
    appendix abstractname contentsname figurename tablename refname
    abovedisplayskip belowdisplayskip abovedisplayshortskip belowdisplayshortskip
"""
_MATH = """
    frac dfrac tfrac cfrac sqrt partial nabla sum prod coprod int iint iiint iiiint oint lim limsup liminf
    limits nolimits displaystyle textstyle scriptstyle scriptscriptstyle left right middle big Big bigg Bigg
    bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm cdot cdotp times div pm mp ast star circ bullet
    odot otimes oplus ominus oslash wedge vee cap cup setminus bmod pmod mod bmod
    leq geq neq le ge ne approx equiv sim simeq cong propto ll gg prec succ preceq succeq subset supset
    subseteq supseteq in notin ni mid parallel perp vdash models to gets mapsto rightarrow leftarrow
    Rightarrow Leftarrow leftrightarrow Leftrightarrow longrightarrow longleftarrow Longrightarrow
    Longleftarrow longmapsto uparrow downarrow updownarrow Uparrow Downarrow hookrightarrow iff implies
    infty forall exists nexists neg lnot emptyset varnothing prime backslash angle triangle ell hbar
    imath jmath aleph beth gimel daleth wp Re Im mho eth hslash
    lfloor rfloor lceil rceil langle rangle lvert rvert lVert rVert vert Vert
    hat widehat tilde widetilde bar overline underline vec dot ddot dddot ddddot acute grave breve check
    mathring overbrace underbrace overset underset stackrel substack binom dbinom tbinom
    mathrm mathbf mathit mathsf mathtt mathcal mathbb mathfrak mathscr boldsymbol bm operatorname text
    mathrel mathbin mathop mathord mathpunct mathopen mathclose not nobreak
    log ln lg exp sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth sech csch
    max min sup inf arg det dim gcd deg hom ker Pr
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa lambda mu nu xi pi
    varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma
    Upsilon Phi Psi Omega
    dagger ddagger surd top bot diamond Box clubsuit diamondsuit heartsuit spadesuit flat natural sharp
    veebar barwedge lt gt colon
"""
_TIKZ = """
    tikz tikzset tikzstyle usetikzlibrary draw fill filldraw path node coordinate clip shade shadedraw
    foreach scope pgfmathsetmacro
"""


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


WORDS = (
    _names(_TEXT)
    | _names(_MATH)
    | _names(_TIKZ)
    | {m[1:] for v in MATH.values() for m in re.findall(r"\\[A-Za-z]+", v)}
)
SYMBOLS = frozenset("\\{}$&#%_,;:! []()'`\"^~=.-/@|><*+\n\t")
ENVIRONMENTS = _names(
    """document center flushleft flushright quote quotation verse itemize enumerate description tabular tabular*
    array table table* figure figure* minipage abstract titlepage align align* aligned alignat alignat* alignedat
    gather gather* gathered multline multline* equation equation* split cases dcases matrix pmatrix bmatrix
    Bmatrix vmatrix Vmatrix smallmatrix subarray displaymath math tikzpicture scope"""
)
PACKAGES = _names(
    """inputenc fontenc lmodern geometry amsmath amssymb amsfonts amsthm mathtools booktabs xcolor color tikz pgf
    microtype parskip array tabularx longtable multicol caption float enumitem bm fancyhdr titlesec textcomp"""
)
CLASSES = _names("article report book amsart")
TIKZ_LIBRARIES = _names(
    """arrows arrows.meta positioning calc shapes shapes.geometric shapes.misc fit backgrounds matrix trees
    patterns decorations.pathreplacing decorations.markings"""
)
COLOR_MODELS = _names("rgb RGB HTML gray cmyk")
_NAMED = {
    "begin": ENVIRONMENTS,
    "end": ENVIRONMENTS,
    "usepackage": PACKAGES,
    "documentclass": CLASSES,
    "usetikzlibrary": TIKZ_LIBRARIES,
}
_TOKEN = re.compile(r"%[^\n]*|\\([A-Za-z]+)|\\(.)|\^\^", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")  # all but tab and line feed
_OPTION = re.compile(r"\s*\[[^\]\\]*\]")
_LITERAL = re.compile(r"^[A-Za-z0-9*.,\s-]*$")


def check_source(source: str) -> None:
    """Refuse, with a one-line SpecError naming it and its line, anything in ``source`` outside the vocabulary
    (see the module's docstring)."""
    control = _CONTROL.search(source)
    if control is not None:
        _refuse(source, control.start(), f"the control character U+{ord(control.group()):04X}")
    source = _uncommented(source)
    for m in _TOKEN.finditer(source):
        token = m.group(0)
        if token.startswith("%"):
            continue
        if token == "^^":
            _refuse(source, m.start(), "^^, TeX's notation for a character by its code")
        word, symbol = m.group(1), m.group(2)
        if word is not None:
            if word not in WORDS:
                _refuse(source, m.start(), f"\\{word}")
            if word in _NAMED or word == "definecolor":
                _check_names(source, m.end(), word)
        elif symbol is not None and symbol not in SYMBOLS:
            _refuse(source, m.start(), f"the control symbol \\{symbol!r}")


def _uncommented(source: str) -> str:
    """``source`` as TeX reads it: each comment (an unescaped % to the end of its line) blanked out with spaces,
    so every position and line number stays where it was."""
    return _TOKEN.sub(lambda m: " " * len(m.group(0)) if m.group(0).startswith("%") else m.group(0), source)


def _check_names(source: str, pos: int, word: str) -> None:
    """The literal names a naming command is given, each from its list (\\definecolor: its model, the 2nd group)."""
    option = _OPTION.match(source, pos)
    pos = option.end() if option else pos
    groups = _groups(source, pos, 2 if word == "definecolor" else 1)
    if not groups:
        _refuse(source, pos, f"\\{word} without a name in braces")
    text = groups[-1]
    if not _LITERAL.match(text):
        _refuse(source, pos, f"\\{word}{{{text[:40]}}}: a name built of anything but letters")
    allowed = COLOR_MODELS if word == "definecolor" else _NAMED[word]
    names = [n.strip() for n in text.split(",")] if word in ("usepackage", "usetikzlibrary") else [text.strip()]
    for name in names:
        if name not in allowed:
            _refuse(source, pos, f"\\{word}{{{name[:40]}}}")


def _groups(source: str, pos: int, count: int) -> list[str]:
    """Up to ``count`` brace groups from ``pos`` (blanks between them skipped); fewer if the text has fewer."""
    out: list[str] = []
    while len(out) < count:
        while pos < len(source) and source[pos] in " \t\n":
            pos += 1
        if pos >= len(source) or source[pos] != "{":
            return out
        depth, start = 0, pos
        while pos < len(source):
            depth += {"{": 1, "}": -1}.get(source[pos], 0)
            pos += 1
            if depth == 0:
                break
        out.append(source[start + 1 : pos - 1])
    return out


def _refuse(source: str, pos: int, what: str) -> None:
    line = source.count("\n", 0, pos) + 1
    raise SpecError(
        f"the LaTeX document uses {what} on its line {line}, which a document built into a PDF may not: a template "
        "may use layout, mathematics and drawing, nothing that reads or writes files (see docs/limits.md)"
    )
