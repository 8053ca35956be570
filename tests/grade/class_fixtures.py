"""A small synthetic class for the grading tests, from the benchmark's generator (benchmarks/grading.py): answers
right in random forms or with a typical mistake planted, some as workings, each with its truth known."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import grading

Planted = grading.Planted
make_class = grading.make_class
write_class = grading.write_class
disagreements = grading.disagreements
