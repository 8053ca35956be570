#!/usr/bin/env bash
# The commands that made the example documents in this folder (run from the repository root).
set -euo pipefail
python3 -m symbackprop derive example:3b1b --wrt 'w^{(L-1)}' --to pdf -o docs/examples/one-neuron-per-layer.pdf
python3 -m symbackprop derive example:deeplizard --wrt 'w_{22}^{(L-1)}' --to pdf -o docs/examples/hidden-weight.pdf
python3 -m symbackprop derive example:worked --wrt 'w_{00}^{(L)}' --to pdf -o docs/examples/worked-numbers.pdf
python3 -m symbackprop derive example:mazur-training --wrt 'w_{00}^{(2)}' --to pdf -o docs/examples/training-run.pdf
