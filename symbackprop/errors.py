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
