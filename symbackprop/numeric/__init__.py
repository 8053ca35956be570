"""Numbers: the forward pass, the cost and its gradient, a derivation worked at a spec's values, finite
differences, and the numbers a published worked example printed, checked."""
