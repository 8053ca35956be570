"""What is wrong with a claim, and where: the one error a claim's reading raises, with its 1-based position."""

from __future__ import annotations

from ..base.errors import SpecError


class ClaimError(SpecError):
    """A claim that cannot be read or means nothing in this network; ``position`` is 1-based or None."""

    def __init__(self, message: str, position: int | None = None) -> None:
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"claim{where}: {message}")
        self.reason = message
        self.position = position


def line_column(text: str, position: int) -> tuple[int, int]:
    """The 1-based line and column of a 1-based position in ``text``."""
    before = text[: max(position - 1, 0)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")
