"""LaTeX's shape: a formula as a textbook, a student or a spec writes it, read by the project's own lark grammar
into a small syntax tree (``tree.parse``), with the place of every part kept for messages.

Nothing here knows what a letter means: a claim's letters are bound to a network in ``verify``, a graph node's
to the graph in ``model.graph_reading``. Nothing read is ever evaluated as code.
"""
