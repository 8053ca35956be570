"""A network as data: the spec, the catalogues of activations and costs, notation presets, SymPy symbols,
references such as w_{12}^{(L)}, the printers of the textbook's notation, and the network's equations."""
