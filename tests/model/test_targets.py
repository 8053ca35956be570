"""The spec's ``targets`` key: what verify may assume of the targets, validated with the other keys."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.base.errors import SpecError
from symbackprop.model import spec as specs
from symbackprop.model.network import Network
from symbackprop.model.targets import ASSUMPTIONS, allowed_rows
from symbackprop.numeric.numbers import random_values

SOFTMAX = {"layers": [2, 3], "activation": "softmax", "cost": "cross_entropy"}
VALUES = {"x": [0.5, -1.0], "weights": [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]], "biases": [[0.0, 0.1, 0.2]]}


def test_a_spec_states_no_assumption_by_default():
    assert specs.from_mapping(SOFTMAX).targets is None


@pytest.mark.parametrize("name", ASSUMPTIONS)
def test_each_assumption_is_kept_from_a_mapping_a_file_and_the_keywords(name, tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(f'layers = [2, 3]\nactivation = "softmax"\ncost = "cross_entropy"\ntargets = "{name}"\n')
    assert specs.from_mapping({**SOFTMAX, "targets": name}).targets == name
    assert specs.from_toml(path).targets == name
    assert Network([2, 3], activation="softmax", cost="cross_entropy", targets=name).spec.targets == name


@pytest.mark.parametrize("value", ["onehot", "one_hot", "", 1, True, ["one-hot"]])
def test_any_other_value_is_one_line_naming_the_allowed_ones(value):
    with pytest.raises(SpecError) as err:
        specs.from_mapping({**SOFTMAX, "targets": value})
    message = str(err.value)
    assert message.startswith("targets: must be one-hot or sum-to-one")
    assert "\n" not in message


def test_a_near_miss_is_answered_with_the_name_meant():
    with pytest.raises(SpecError, match="did you mean one-hot"):
        specs.from_mapping({**SOFTMAX, "targets": "onehot"})


def test_the_specs_own_targets_must_be_ones_it_allows():
    one_hot = {**SOFTMAX, "values": {**VALUES, "y": [0.0, 1.0, 0.0]}}
    soft = {**SOFTMAX, "values": {**VALUES, "y": [0.2, 0.3, 0.5]}}
    assert specs.from_mapping({**one_hot, "targets": "one-hot"}).targets == "one-hot"
    assert specs.from_mapping({**soft, "targets": "sum-to-one"}).targets == "sum-to-one"
    with pytest.raises(SpecError, match=r"values.y: targets is one-hot"):
        specs.from_mapping({**soft, "targets": "one-hot"})
    with pytest.raises(SpecError, match=r"values.y: targets is sum-to-one, but the targets sum to 1.1"):
        specs.from_mapping({**SOFTMAX, "values": {**VALUES, "y": [0.2, 0.4, 0.5]}, "targets": "sum-to-one"})


def test_a_network_with_skip_or_tie_takes_no_assumption():
    with pytest.raises(SpecError, match="skip or tie"):
        specs.from_mapping({"layers": [2, 2, 2], "skip": [[0, 2]], "targets": "one-hot"})


def test_the_flag_names_itself_in_its_message():
    with pytest.raises(SpecError, match=r"^--targets: must be one-hot or sum-to-one"):
        specs.with_targets(specs.from_mapping(SOFTMAX), "probabilities", "--targets")


@given(st.sampled_from(ASSUMPTIONS), st.integers(2, 6), st.integers(1, 4), st.integers(0, 20))
def test_random_targets_are_ones_the_assumption_allows(name, width, samples, seed):
    net = Network([2, width], activation="softmax", cost="cross_entropy", targets=name)
    y = random_values(net, samples=samples, seed=seed).y
    assert y.shape == (samples, width)
    assert np.allclose(y.sum(axis=1), 1.0)
    if name == "one-hot":
        assert set(np.unique(y)) <= {0.0, 1.0}


def test_without_an_assumption_random_targets_are_as_they_were():
    y = np.random.default_rng(0).uniform(0.05, 0.95, (3, 4))
    assert allowed_rows(None, y) is y
