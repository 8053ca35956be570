"""The spec's ``[training]`` table: how its ``[values]`` are trained, validated once.

A training run is full-batch gradient descent on the mean cost over the spec's samples, one
update per step (or, with ``batch = "sample"``, one update per sample, taken in the order the
samples are given, cycling). The optimizers and their hyper-parameters are PyTorch's, with
PyTorch's names and defaults, so that a run can be compared with ``torch.optim`` number for
number. The learning rate stays in ``[values]``.

>>> read_training({"steps": 3, "optimizer": "adam"}).beta2
0.999
>>> read_training({"optimizer": "nesterov", "eps": 0.1})
Traceback (most recent call last):
...
symbackprop.base.errors.SpecError: training.eps: optimizer 'nesterov' takes no eps; it takes momentum, weight_decay
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..base.errors import SpecError, did_you_mean

MAX_STEPS = 1_000_000  # a worked example's longest run is 10,000 steps; the time limit bounds the rest

# each optimizer's hyper-parameters and their PyTorch defaults ("momentum" and "nesterov" are SGD with those set)
HYPER: dict[str, dict[str, float]] = {
    "sgd": {"momentum": 0.0, "dampening": 0.0},
    "momentum": {"momentum": 0.9, "dampening": 0.0},
    "nesterov": {"momentum": 0.9},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
_COMMON = ("steps", "optimizer", "weight_decay", "update_biases", "batch")
BATCHES = ("full", "sample")


@dataclass(frozen=True)
class Training:
    """A validated ``[training]`` table. Hyper-parameters an optimizer does not use keep their defaults."""

    steps: int = 1
    optimizer: str = "sgd"
    momentum: float = 0.0
    dampening: float = 0.0
    alpha: float = 0.99
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    update_biases: bool = True
    batch: str = "full"  # "full": one update per step on the mean cost; "sample": one sample per update

    @property
    def nesterov(self) -> bool:
        return self.optimizer == "nesterov"

    @property
    def plain_descent(self) -> bool:
        """Plain gradient descent, w - eta * dC/dw and nothing more: the step a worked example takes by hand."""
        return self.optimizer == "sgd" and not self.momentum and not self.weight_decay

    def describe(self) -> str:
        """One line for a report: ``adam (beta1 0.9, beta2 0.999, eps 1e-08), 100 steps, full batch``."""
        plain = self.optimizer == "sgd" and not self.momentum  # plain gradient descent has nothing more to say
        hyper = "" if plain else ", ".join(f"{k} {_number(getattr(self, k))}" for k in HYPER[self.optimizer])
        extra = [f"weight decay {_number(self.weight_decay)}"] if self.weight_decay else []
        extra += [] if self.update_biases else ["biases held fixed"]
        batch = "full batch" if self.batch == "full" else "one sample per update"
        steps = f"{self.steps} step{'s' if self.steps != 1 else ''}"
        return ", ".join([f"{self.optimizer} ({hyper})" if hyper else self.optimizer, steps, batch, *extra])


def _number(value: float) -> str:
    return format(value, "g")


def read_training(table: Any, steps: int | None = None, steps_name: str = "--steps") -> Training:
    """Validate a ``[training]`` table (``steps``, given as ``steps_name``, wins over the table's)."""
    if not isinstance(table, Mapping):
        raise SpecError("training: must be a table, as [training] with steps = 100")
    optimizer = table.get("optimizer", "sgd")
    if not isinstance(optimizer, str) or optimizer not in HYPER:
        hint = did_you_mean(optimizer, HYPER) if isinstance(optimizer, str) else ""
        raise SpecError(f"training.optimizer: must be one of {', '.join(HYPER)}, got {optimizer!r}{hint}")
    known = set(_COMMON) | set(HYPER[optimizer])
    for key in table:
        if key not in known:
            if any(key in hyper for hyper in HYPER.values()):
                takes = ", ".join([*HYPER[optimizer], "weight_decay"])
                raise SpecError(f"training.{key}: optimizer {optimizer!r} takes no {key}; it takes {takes}")
            raise SpecError(
                f"training: unknown key {key!r}; known: {', '.join(sorted(known))}{did_you_mean(key, known)}"
            )
    settings: dict[str, Any] = {"optimizer": optimizer, **HYPER[optimizer]}
    for key in (*HYPER[optimizer], "weight_decay"):
        if key in table:
            settings[key] = _hyper(key, table[key])
    settings["steps"] = _steps("training.steps", table.get("steps", 1))
    if steps is not None:
        settings["steps"] = _steps(steps_name, steps)
    if "update_biases" in table:
        if not isinstance(table["update_biases"], bool):
            raise SpecError(f"training.update_biases: must be true or false, got {table['update_biases']!r}")
        settings["update_biases"] = table["update_biases"]
    batch = table.get("batch", "full")
    if batch not in BATCHES:
        raise SpecError(f'training.batch: must be "full" (the mean over the samples) or "sample", got {batch!r}')
    settings["batch"] = batch
    if optimizer == "nesterov" and settings["momentum"] == 0:
        raise SpecError("training.momentum: nesterov needs a momentum above 0 (PyTorch refuses it too)")
    return Training(**settings)


def _steps(where: str, value: Any) -> int:
    if type(value) is not int or not 0 <= value <= MAX_STEPS:
        raise SpecError(f"{where}: must be a whole number of steps from 0 to {MAX_STEPS:,}, got {value!r}")
    return value


def _hyper(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SpecError(f"training.{key}: must be a finite number, got {value!r}")
    value = float(value)
    low, high, below = _RANGES.get(key, (0.0, math.inf, False))
    if not low <= value <= high or (below and value == high):
        upper = f"below {_number(high)}" if below else f"at most {_number(high)}"
        raise SpecError(f"training.{key}: must be at least 0 and {upper}, got {value!r}")
    return value


# (lowest, highest, whether the highest itself is refused); eps and weight_decay: any number from 0
_RANGES = {
    "beta1": (0.0, 1.0, True),
    "beta2": (0.0, 1.0, True),
    "momentum": (0.0, 1.0, True),
    "dampening": (0.0, 1.0, False),
    "alpha": (0.0, 1.0, False),
}
