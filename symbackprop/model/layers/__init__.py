"""Layers beyond dense: a spec of ``[[layer]]`` tables (convolution, pooling, normalisation, dropout, recurrent,
residual), checked into a ``LayerStack`` (``stack``), numbered (``numbers``) and built as a computation graph of
the mean cost over the batch, element by element (``layer_graph``), so that everything a graph gets (derive,
prove, evaluate, gradcheck, codegen) applies to it. One module per family of kinds builds each kind's
elements: ``basic`` (dense, activation, flatten, dropout, residual), ``conv``, ``pooling``, ``normalisation``,
``recurrent``.
"""
