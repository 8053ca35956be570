"""A claim pasted from a .tex file or a web page: displays, environments, comments and labels are read
past, and an error in a claim of several lines is placed by line and column, with the line shown."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
import sympy as sp

from symbackprop import cli
from symbackprop.renderers import render_report
from symbackprop.syntax.errors import ClaimError, line_column
from symbackprop.syntax.tree import parse
from symbackprop.verify.claims import verify_claim

from ..claims_table import network

LHS = r"\frac{\partial C_0}{\partial w_{12}^{(L)}}"
CHAIN = (
    r"\frac{\partial C_0}{\partial a_1^{(L)}} \frac{\partial a_1^{(L)}}{\partial z_1^{(L)}}"
    r" \frac{\partial z_1^{(L)}}{\partial w_{12}^{(L)}}"
)
RESULT = r"2\left(a_1^{(L)} - y_1\right) g'^{(L)}(z_1^{(L)})\, a_2^{(L-1)}"
WRONG = r"2\left(a_1^{(L)} - y_1\right) a_2^{(L-1)}"

DISPLAYS = {
    "eqnarray*": "\\begin{{eqnarray*}}\n{lhs} &=& {chain} \\\\\n &=& {result} \\text{{.}}\n\\end{{eqnarray*}}",
    "eqnarray": (
        "\\begin{{eqnarray}}\n{lhs} &=& {chain} \\nonumber \\\\\n &=& {result} \\label{{eq:w12}}\n\\end{{eqnarray}}"
    ),
    "align": "\\begin{{align}}\n{lhs} &= {chain} \\notag\\\\[4pt]\n &= {result} ,\n\\end{{align}}",
    "align*": "\\begin{{align*}}\n{lhs} &= {chain} \\\\\n &= {result}.\n\\end{{align*}}",
    "equation": "\\begin{{equation}} \\label{{eq:chain}}\n{lhs} = {chain} = {result}\n\\end{{equation}}",
    "equation*": "\\begin{{equation*}}\n{lhs} = {chain} = {result} \\text{{,}}\n\\end{{equation*}}",
    "split": "\\begin{{equation}}\\begin{{split}}\n{lhs} &= {chain}\\\\\n&= {result}\n\\end{{split}}\\end{{equation}}",
    "gather": "\\begin{{gather}}\n{lhs} = {chain} \\\\\n = {result}\n\\end{{gather}}",
    "multline": "\\begin{{multline}}\n{lhs} = {chain} \\\\\n = {result}\n\\end{{multline}}",
    "brackets": "\\[\n  {lhs} = {chain}\n  = {result}\n\\]",
    "dollars": "$$\n{lhs} = {chain} = {result}\n$$",
    "dollar": "${lhs} = {chain} = {result}$",
    "dollar-eqnarray": "$\\begin{{eqnarray*}} {lhs} &=& {chain} \\\\ &=& {result} \\text{{.}} \\end{{eqnarray*}}$",
    "comments": (
        "% the chain rule, written out (100\\% of it)\n\\begin{{align}}\n{lhs} &= {chain} % three factors\n"
        "\\\\ &= {result} % the result\n\\end{{align}}\n% end of file\n"
    ),
    "document": (
        "\\documentclass{{article}}\n\\usepackage{{amsmath}} % for align\n\\begin{{document}}\n"
        "\\begin{{align*}}\n{lhs} &= {chain} \\\\ &= {result}\n\\end{{align*}}\n\\end{{document}}\n"
    ),
}


@pytest.mark.parametrize("kind", list(DISPLAYS))
def test_a_display_pasted_from_a_tex_file_reads_as_its_chain(kind):
    text = DISPLAYS[kind].format(lhs=LHS, chain=CHAIN, result=RESULT)
    report = verify_claim(network("deep"), text)
    assert report.verdict == "correct", (report.error, report.position)
    assert report.sides == 3


@pytest.mark.parametrize("kind", ["eqnarray*", "align", "comments", "document"])
def test_the_same_display_with_a_mistake_is_incorrect_and_names_the_row(kind):
    text = DISPLAYS[kind].format(lhs=LHS, chain=CHAIN, result=WRONG)
    report = verify_claim(network("deep"), text)
    assert report.verdict == "incorrect"
    assert report.diagnosis.kind == "activation_derivative_missing"
    assert report.side == 3 and report.side_text.startswith(r"2\left(a_1^{(L)} - y_1\right) a_2^{(L-1)}")


HIDDEN = r"\frac{\partial C_0}{\partial a_2^{(L-1)}}"  # the sum over layer L's four neurons, written out


def path(j: int, sign: str = "") -> str:
    return rf"{sign}2(a_{j}^{{(L)}} - y_{j}) g'^{{(L)}}(z_{j}^{{(L)}}) w_{{{j}2}}^{{(L)}}"


# A side that runs over two rows: the second row goes on with an operator, after the alignment & and spacing.
CONTINUED = {
    "eqnarray &&+ \\dots": "\\begin{{eqnarray*}}\n{lhs} &=& {p0} + {p1} \\\\\n && + \\dots + {p3}\n\\end{{eqnarray*}}",
    "align &\\quad+ \\cdots": "\\begin{{align*}}\n{lhs} &= {p0} + {p1} \\\\\n &\\quad + \\cdots + {p3}\n\\end{{align*}}",  # noqa: E501
    "align &\\qquad+": "\\begin{{align}}\n{lhs} &= {p0} \\nonumber \\\\\n &\\qquad + {p1} + ... + {p3}\n\\end{{align}}",
    "\\hspace": "\\begin{{align*}}\n{lhs} &= {p0} + {p1} \\\\\n & \\hspace{{1cm}} \\, + {p2} + {p3}\n\\end{{align*}}",
    "row ends with +": "\\begin{{align*}}\n{lhs} &= {p0} + {p1} + \\\\[2pt]\n &\\quad {p2} + {p3}\n\\end{{align*}}",
    "\\left. \\right.": (
        "\\begin{{align*}}\n{lhs} &= \\left. {p0} + {p1} \\right. \\\\\n"
        " &\\quad \\left. + {p2} + {p3} \\right.\n\\end{{align*}}"
    ),
    "\\left( \\right. across rows": (
        "\\begin{{align*}}\n{lhs} &= \\left( {p0} + {p1} \\right. \\\\\n"
        " &\\quad \\left. + {p2} + {p3} \\right)\n\\end{{align*}}"
    ),
}


@pytest.mark.parametrize("kind", list(CONTINUED))
def test_a_side_continued_on_the_next_row_is_read_whole(kind):
    """Correct only with the second row's terms in the sum: with that row dropped, or read as a side, it is not."""
    text = CONTINUED[kind].format(lhs=HIDDEN, p0=path(0), p1=path(1), p2=path(2), p3=path(3))
    report = verify_claim(network("deep"), text)
    assert report.verdict == "correct", (report.error, report.position)
    assert report.sides == 2
    assert sp.Indexed("w", 3, 3, 2) in report.read_as.atoms(sp.Indexed)  # the last term, on the second row


@pytest.mark.parametrize(("sign", "verdict"), [("-", "correct"), ("+", "incorrect")])
def test_a_sign_that_opens_a_continued_row_is_kept(sign, verdict):
    terms = " + ".join(path(j) for j in range(4))
    text = f"\\begin{{align*}}\n{HIDDEN} &= {terms} + y_1 \\\\\n &\\quad {sign} y_1\n\\end{{align*}}"
    assert verify_claim(network("deep"), text).verdict == verdict


def test_a_row_that_opens_with_equals_is_still_a_side_of_its_own():
    text = "\\begin{align*}\n" + LHS + " &= " + CHAIN + " \\\\\n &\\quad = " + RESULT + "\n\\end{align*}"
    report = verify_claim(network("deep"), text)
    assert report.verdict == "correct" and report.sides == 3


def test_an_error_on_a_continued_row_is_placed_on_that_row():
    text = "\\begin{align*}\n" + HIDDEN + " &= " + path(0) + " \\\\\n &\\quad + \\oops\n\\end{align*}"
    report = verify_claim(network("deep"), text)
    assert report.verdict == "unparseable" and "unknown command \\oops" in report.error
    assert report.position == text.index("\\oops") + 1 and line_column(text, report.position) == (3, 11)


def test_positions_still_point_into_the_text_as_pasted():
    """Blanking leaves every character where it was: the parsed formula's sides start where they are written."""
    text = DISPLAYS["comments"].format(lhs=LHS, chain=CHAIN, result=RESULT)
    claim = parse(text)
    assert len(claim.text) == len(text)
    assert text[claim.sides[0].start :].startswith(LHS)
    assert text[claim.sides[2].start :].startswith(RESULT)
    assert "100" not in claim.text and "%" not in claim.text and "align" not in claim.text


def test_a_percent_sign_that_is_escaped_is_not_a_comment():
    report = verify_claim(network("deep"), r"2 a_2^{(L-1)} \% 3", "w_{12}^{(L)}")
    assert report.verdict == "unparseable" and report.position == 15


def test_an_error_in_a_claim_of_several_lines_is_placed_by_line_and_column(capsys):
    text = "\\begin{align}\n" + LHS + " &= 2(a_1^{(L)} - y_1)\n  \\oops(z_1^{(L)}) a_2^{(L-1)}\n\\end{align}\n"
    report = verify_claim(network("deep"), text)
    assert report.verdict == "unparseable" and "unknown command \\oops" in report.error
    assert line_column(text, report.position) == (3, 3)
    shown = render_report(report).splitlines()
    assert "the claim cannot be read at line 3, column 3: unknown command \\oops" in shown[1]
    assert shown[2].strip() == r"\oops(z_1^{(L)}) a_2^{(L-1)}"
    assert shown[3].index("^") == shown[2].index("\\")
    data = json.loads(render_report(report, "json"))["error"]
    assert (data["line"], data["column"], data["position"]) == (3, 3, text.index("\\oops") + 1)


def test_the_command_line_says_line_and_column_on_stderr(tmp_path, capsys):
    path = tmp_path / "claim.tex"
    path.write_text("$$\n" + LHS + " = 2(a_1^{(L)} - y_1)\n  g'^{(L)}(z_1^{(L)} a_2^{(L-1)}\n$$\n")
    assert cli.main(["verify", "example:deeplizard", "--claim-file", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "at line 3, column 11: this '(' is never closed" in err
    assert "      g'^{(L)}(z_1^{(L)} a_2^{(L-1)}\n              ^\n" in out  # the line as written, indented


def test_a_long_line_is_shown_around_the_place():
    text = " + ".join(["a_1^{(L)}"] * 40) + r" + \oops"
    report = verify_claim(network("deep"), text, "w_{12}^{(L)}")
    line, caret = render_report(report).splitlines()[2:4]
    assert line.strip().startswith("…") and line.strip().endswith(r"\oops")
    assert len(line.strip()) <= 102
    assert line[caret.index("^")] == "\\"


@pytest.mark.parametrize(
    ("text", "words", "where"),
    [
        ("\\left(a_1^{(L)} - y_1\\right", "this '\\left(' is never closed", 1),
        ("2 \\Bigl( a_1^{(L)} \\Bigr]", "does not close the '\\Bigl('", 20),
        ("\\begin{equation} 2 \\end{equation}\n\\begin{equation} 3 \\end{equation}", "one formula", 20),
        ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "environment pmatrix is not understood", 1),
        ("% only a comment\n", "holds no formula", None),
        ("\\begin{equation}\\label{eq:1}\\end{equation}", "holds no formula", None),
    ],
)
def test_what_cannot_be_a_formula_is_said_where(text, words, where):
    with pytest.raises(ClaimError) as err:
        parse(text)
    assert words in err.value.reason
    assert err.value.position == where


def test_a_claim_pasted_with_a_long_preamble_is_read_fast():
    text = "% a comment line\n" * 2000 + "$$" + LHS + " = " + RESULT + "$$\n"
    assert verify_claim(network("deep"), text).verdict == "correct"


@pytest.mark.parametrize(
    "text",
    [
        "$" * 60000,
        "a" + ". " * 30000,
        "\\[" * 15000 + "\\]" * 15000,
        "%" * 60000,
        "\\begin{equation}" * 1800 + "a" + "\\end{equation}" * 1800,
        "a " + "\\\\[2pt] " * 6000,
        "a" + "\\text{.}" * 7000,
        "a " + "\\label{x}" * 6000,
        "a" * 64001,
        "a" + " \\\\ &\\quad + a" * 4000,
        "a" + " &" * 20000 + " \\\\" * 10000,
        "\\left." * 9000,
    ],
    ids=[
        "dollars",
        "dots",
        "brackets",
        "percent",
        "environments",
        "rows",
        "texts",
        "labels",
        "long",
        "continued",
        "ampersands",
        "invisible",
    ],
)
def test_a_hostile_paste_is_answered_at_once(text):
    start = time.monotonic()
    with contextlib.suppress(ClaimError):  # refused or read: either way at once
        parse(text)
    assert time.monotonic() - start < 2
