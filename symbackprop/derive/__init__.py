"""The chain rule as data: one element's derivation factor by factor, the general and matrix forms, second
derivatives, and how much work a request is before any of it starts."""
