"""Deciding equalities: a derivation against sympy.diff of the composed cost, the general and matrix forms on a
copy of the network, and two formulas against each other (symbolically, at exact points, at real points)."""
