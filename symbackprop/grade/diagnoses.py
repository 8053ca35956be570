"""The names of the mistakes verify diagnoses, as ``verify --json`` gives them (``diagnosis.kind``): what a
rubric may give points for, and grade's own ``unreadable_line``.
Two mistakes at once are the two names joined by ``+`` (``wrong_layer+sign``)."""

from __future__ import annotations

from ..base.errors import SpecError, did_you_mean

KNOWN = (
    "activation_derivative_missing",
    "batchnorm_direct_path_only",
    "batchnorm_missing_mean_path",
    "batchnorm_missing_variance_path",
    "dropout_mask_missing",
    "dropout_not_scaled",
    "extra_mean",
    "factor_2_added",
    "factor_2_dropped",
    "hadamard_for_product",
    "indices_swapped",
    "kernel_not_flipped",
    "last_time_step_only",
    "layernorm_over_batch",
    "logistic_for_activation",
    "max_pool_not_routed",
    "mean_missing",
    "no_such_neuron",
    "question_restated",
    "product_for_hadamard",
    "sample_count",
    "sample_outside",
    "shapes",
    "sign",
    "small_batch",
    "spurious_activation_derivative",
    "stray_index",
    "stride_not_dilated",
    "sum_bounds",
    "sum_missing",
    "sum_wrong_index",
    "targets_sum_to_one",
    "transpose_extra",
    "transpose_missing",
    "unreadable_line",  # grade's own: a line of a working that cannot be read, the other lines checked
    "weight_for_input",
    "wrong_layer",
    "wrong_neuron",
)


def check_name(name: str, where: str) -> str:
    """``name`` itself when each of its ``+``-joined parts is a diagnosis verify gives; else a SpecError naming it.

    >>> check_name("wrong_layer+sign", "rubric")
    'wrong_layer+sign'
    """
    parts = name.split("+")
    for part in parts:
        if part not in KNOWN:
            hint = did_you_mean(part, KNOWN)
            names = hint or f"; the names are {', '.join(KNOWN)}"
            raise SpecError(f"{where}: {part!r} is no diagnosis verify gives{names}")
    return name
