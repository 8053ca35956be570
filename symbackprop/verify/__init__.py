"""Claims: a formula in LaTeX read by the project's grammar, bound to a network, decided, and diagnosed."""

from .claims import ClaimReport, verify_claim

__all__ = ["ClaimReport", "verify_claim"]
