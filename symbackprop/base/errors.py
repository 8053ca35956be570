"""The one exception the engine raises for anything the user got wrong, and the words its messages share."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SpecError(ValueError):
    """Bad user input: a spec, a reference or a value. Its message is one line for the user."""


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """'; did you mean sigmoid?' when ``word`` is a near miss of one of ``choices`` (a typo, a wrong case), else ''."""
    if not isinstance(word, str) or not word.strip() or len(word) > 100:
        return ""
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.strip().lower(), list(by_lower), n=1, cutoff=0.6)
    return f"; did you mean {by_lower[close[0]]}?" if close and by_lower[close[0]] != word else ""


# What to look for, by the start of tomllib's message: it says where it noticed, not what was left open.
_TOML_HINTS = (
    ("Unclosed array", "an array [ ... ] not closed before this point?"),
    ("Unclosed inline table", "an inline table { ... } not closed before this point?"),
    ("Unterminated string", "a string not closed by its quote?"),
    ("Illegal character '\\n'", "a string not closed by its quote on its line?"),
    ("Invalid value", 'a value is a number, true or false, a quoted string ("sigmoid"), or an array [ ... ]'),
    ("Expected '=' after a key", "each setting is key = value, one per line"),
    ("Expected newline or end of document", "one key = value per line; a string is one quoted text"),
    ("Cannot overwrite a value", "a key given twice?"),
    ("Cannot declare", "a table or key given twice?"),
    ("Expected ']' at the end of a table declaration", "a table's name is closed by ], as [values]"),
)


def toml_problem(err: Exception) -> str:
    """tomllib's message with its position, and what to look for there where its words alone do not say."""
    text = str(err)
    hint = next((h for start, h in _TOML_HINTS if text.startswith(start)), None)
    return f"{text}: {hint}" if hint else text


def check_text(text: str, what: str) -> str:
    """``text`` itself, once it is known to be text that can be written out: a lone surrogate (what Python makes of
    bytes that are not UTF-8, on the command line or from a careless decode) is a SpecError naming its place."""
    for position, ch in enumerate(text, start=1):
        if "\ud800" <= ch <= "\udfff":
            raise SpecError(
                f"{what} is not UTF-8 text: it holds a lone surrogate (U+{ord(ch):04X}) at position {position}, "
                "which is what bytes that are not UTF-8 become"
            )
    return text
