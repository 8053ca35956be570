"""Training runs against PyTorch's own optimizers, and the layer-by-layer gradient against the engine's formulas.

torch.optim (SGD with momentum, dampening, Nesterov and weight decay; RMSprop; Adam) trains the same
network in float64 from the same start; every parameter and the cost must agree to 1e-10 after 100
steps. The network is built in PyTorch from its own layers and functions, sharing nothing with the engine.
"""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.model.training import HYPER, Training, read_training
from symbackprop.numeric import numbers as numeric
from symbackprop.numeric.descent import LayerGradient
from symbackprop.numeric.training import Variant, train
from tests.needs import NEEDS_TORCH
from tests.strategies import networks

# TRAINING_EXAMPLES=400 for a longer search (about 20 s)
SLOW = settings(
    max_examples=int(os.environ.get("TRAINING_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _torch_activation(torch, name: str, z):
    if name == "softmax":
        return torch.softmax(z, dim=1)
    if name.startswith("leaky_relu"):
        return torch.nn.functional.leaky_relu(z, float(name.partition(":")[2] or "0.01"))
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "softplus": torch.nn.functional.softplus,
        "identity": lambda t: t,
    }[name](z)


def _torch_cost(torch, name: str, a, y):
    per = {
        "sse": lambda: ((a - y) ** 2).sum(dim=1),
        "half_sse": lambda: ((a - y) ** 2).sum(dim=1) / 2,
        "mse": lambda: ((a - y) ** 2).mean(dim=1),
        "cross_entropy": lambda: -(y * torch.log(a)).sum(dim=1),
        "binary_cross_entropy": lambda: -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(dim=1),
    }[name]()
    return per.mean()


def torch_run(net: sbp.Network, values, training: Training) -> tuple[list, list, list[float]]:
    """The same run by torch.optim: weights, biases and the cost before each step and after the last."""
    torch = pytest.importorskip("torch")
    weights = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in values.weights]
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in values.biases]
    x, y = torch.tensor(values.x, dtype=torch.float64), torch.tensor(values.y, dtype=torch.float64)
    trained = weights + (biases if training.update_biases else [])
    rate, t = values.learning_rate, training
    common = {"lr": rate, "weight_decay": t.weight_decay}
    if t.optimizer in ("sgd", "momentum", "nesterov"):
        sgd = {"momentum": t.momentum, "nesterov": t.nesterov, "dampening": 0.0 if t.nesterov else t.dampening}
        optimizer = torch.optim.SGD(trained, **common, **sgd)
    elif t.optimizer == "rmsprop":
        optimizer = torch.optim.RMSprop(trained, **common, alpha=t.alpha, eps=t.eps, momentum=t.momentum)
    else:
        optimizer = torch.optim.Adam(trained, **common, betas=(t.beta1, t.beta2), eps=t.eps)

    def cost(x=x, y=y):
        a = x
        for layer, w in enumerate(weights):
            z = a @ w.T
            if biases:
                z = z + biases[layer]
            a = _torch_activation(torch, net.spec.activations[layer], z)
        return _torch_cost(torch, net.spec.cost, a, y)

    costs = []
    for step in range(t.steps):
        optimizer.zero_grad()
        if t.batch == "sample":  # one sample per update, cycling; the cost recorded is still the mean over all
            with torch.no_grad():
                costs.append(float(cost()))
            i = step % x.shape[0]
            loss = cost(x[i : i + 1], y[i : i + 1])
        else:
            loss = cost()
            costs.append(float(loss.detach()))
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        costs.append(float(cost()))
    return [w.detach().numpy() for w in weights], [b.detach().numpy() for b in biases], costs


@st.composite
def trainings(draw) -> Training:
    optimizer = draw(st.sampled_from(sorted(HYPER)))
    table = {"optimizer": optimizer, "steps": 100, "update_biases": draw(st.booleans())}
    if draw(st.booleans()):
        table["weight_decay"] = draw(st.sampled_from([0.01, 0.1]))
    if "momentum" in HYPER[optimizer] and draw(st.booleans()):
        table["momentum"] = draw(st.sampled_from([0.5, 0.9]))
    if optimizer == "adam" and draw(st.booleans()):
        table["beta1"], table["beta2"] = 0.8, 0.99
    if optimizer in ("sgd", "momentum") and draw(st.booleans()):
        table["dampening"] = draw(st.sampled_from([0.1, 0.5]))
    if optimizer == "rmsprop" and draw(st.booleans()):
        table["alpha"] = draw(st.sampled_from([0.9, 0.5]))
    if optimizer in ("rmsprop", "adam") and draw(st.booleans()):
        table["eps"] = draw(st.sampled_from([1e-6, 1e-3]))
    table["batch"] = draw(st.sampled_from(["full", "sample"]))
    return read_training(table)


@NEEDS_TORCH
@SLOW
@given(net=networks(max_depth=3, max_width=3), training=trainings(), seed=st.integers(0, 1000))
def test_a_run_agrees_with_torch_optim_over_100_steps(net, training, seed):
    # A bias shared by a softmax layer has a gradient of exactly 0 (softmax ignores a shift of all its inputs),
    # computed as rounding noise of 1e-17 by both; Adam and RMSprop divide by its size and step on the noise.
    shared_softmax = net.spec.bias == "layer" and "softmax" in net.spec.activations
    assume(not (shared_softmax and training.optimizer in ("adam", "rmsprop")))
    # adaptive steps are about the rate in size whatever the gradient: a rate that reaches the minimum within 100
    # steps oscillates around it, chaotically, and amplifies rounding differences of 1e-16 past any tolerance
    rate = 0.01 if training.optimizer in ("adam", "rmsprop") else 0.2
    values = replace(numeric.random_values(net, samples=3, seed=seed), learning_rate=rate)
    try:
        run = train(net, values, training)
    except sbp.SpecError:  # a run that overflows float64 is refused; PyTorch's then holds inf or nan too
        return
    weights, biases, costs = torch_run(net, values, training)
    np.testing.assert_allclose(run.trajectory, costs, rtol=1e-10, atol=1e-10)
    for ours, theirs in zip(run.last.weights + run.last.biases, weights + biases, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


@SLOW
@given(net=networks(max_depth=3, max_width=3), seed=st.integers(0, 1000))
def test_the_layer_gradient_equals_the_derivations_formulas(net, seed):
    values = numeric.random_values(net, samples=3, seed=seed)
    gw, gb = numeric.gradient_of_mean_cost(net)(values)
    step = LayerGradient(net)(values.x, values.y, values.weights, values.biases)
    for ours, theirs in zip(step.weights + step.biases, gw + gb, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(step.costs, numeric.sample_costs(net, values), rtol=1e-14)


def _sequential_step(net: sbp.Network, values) -> list[np.ndarray]:
    """Plain gradient descent the way the slip takes it, written out for a 2-layer sigmoid network: the output
    weights updated first, and the hidden delta computed from the updated ones."""
    w1, w2 = (w.copy() for w in values.weights)
    b1, b2 = values.biases
    rate = values.learning_rate
    h = 1 / (1 + np.exp(-(values.x @ w1.T + b1)))
    out = 1 / (1 + np.exp(-(h @ w2.T + b2)))
    d2 = (out - values.y) * out * (1 - out)  # half_sse
    w2 = w2 - rate * d2.T @ h / len(values.x)
    d1 = (d2 @ w2) * h * (1 - h)
    w1 = w1 - rate * d1.T @ values.x / len(values.x)
    return [w1, w2]


def test_the_slip_of_updating_before_backpropagating_is_computed_as_written_out():
    net = sbp.Network(layers=[2, 3, 2], activation="sigmoid", cost="half_sse", bias="neuron")
    values = replace(numeric.random_values(net, samples=2, seed=4), learning_rate=0.7)
    run = train(net, values, Training(steps=1, update_biases=False), variant=Variant(ahead=True))
    for ours, theirs in zip(run.last.weights, _sequential_step(net, values), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-13)
    right = train(net, values, Training(steps=1, update_biases=False))
    assert not np.allclose(right.last.weights[0], run.last.weights[0], rtol=1e-9, atol=0)


def test_one_sample_per_update_cycles_through_the_samples_in_order():
    net = sbp.Network(layers=[2, 2, 1], activation="tanh", cost="sse", bias="neuron")
    values = replace(numeric.random_values(net, samples=3, seed=1), learning_rate=0.3)
    run = train(net, values, Training(steps=5, batch="sample"))
    state = values
    for step in range(5):  # each update a full-batch step on the one sample it takes
        i = step % 3
        one = replace(state, x=state.x[i : i + 1], y=state.y[i : i + 1])
        state = replace(train(net, one, Training(steps=1)).last, x=values.x, y=values.y)
    for ours, theirs in zip(run.last.weights + run.last.biases, state.weights + state.biases, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-14)
    assert run.trajectory[-1] == pytest.approx(numeric.mean_cost(net, run.last), rel=1e-14)


def test_the_variants_change_what_they_say():
    net = sbp.Network(layers=[2, 2, 2], activation="sigmoid", cost="half_sse", bias="neuron")
    values = replace(numeric.random_values(net, samples=2, seed=2), learning_rate=0.5)
    one = Training(steps=1)
    base = train(net, values, one).last
    g = LayerGradient(net)(values.x, values.y, values.weights, values.biases)
    twice = train(net, values, one, variant=Variant(rate_power=2)).last
    none = train(net, values, one, variant=Variant(rate_power=0)).last
    summed = train(net, values, one, variant=Variant(summed=True)).last
    held = train(net, values, one, variant=Variant(update_biases=False)).last
    w = values.weights[1]
    np.testing.assert_allclose(base.weights[1], w - 0.5 * g.weights[1], rtol=1e-15)
    np.testing.assert_allclose(twice.weights[1], w - 0.25 * g.weights[1], rtol=1e-15)
    np.testing.assert_allclose(none.weights[1], w - g.weights[1], rtol=1e-15)
    np.testing.assert_allclose(summed.weights[1], w - 0.5 * 2 * g.weights[1], rtol=1e-15)
    np.testing.assert_array_equal(held.biases[0], values.biases[0])


def test_a_run_that_overflows_is_one_line():
    net = sbp.Network(layers=[1, 1], activation="identity", cost="sse", bias="none")
    values = replace(numeric.random_values(net, samples=1, seed=0), learning_rate=1e150)
    with pytest.raises(sbp.SpecError, match="the cost overflows after"):
        train(net, values, Training(steps=50))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"optimizer": "adamw"}, "training.optimizer: must be one of sgd, momentum, nesterov, rmsprop, adam"),
        ({"steps": 1.5}, "training.steps: must be a whole number"),
        ({"steps": True}, "training.steps: must be a whole number"),
        ({"optimizer": "sgd", "beta1": 0.9}, "optimizer 'sgd' takes no beta1"),
        ({"optimizer": "adam", "beta2": 1.0}, "training.beta2: must be at least 0 and below 1"),
        ({"weight_decay": -1}, "training.weight_decay: must be at least 0"),
        ({"weight_decay": float("nan")}, "training.weight_decay: must be a finite number"),
        ({"update_biases": "no"}, "training.update_biases: must be true or false"),
        ({"lr": 0.1}, "training: unknown key 'lr'"),
    ],
)
def test_a_bad_training_table_is_named(table, message):
    with pytest.raises(sbp.SpecError, match=message.replace("(", r"\(")):
        read_training(table)


def test_parameters_that_overflow_while_the_cost_stays_finite_are_refused():
    net = sbp.Network(layers=[1, 1], activation="sigmoid", cost="sse", bias="none")
    values = replace(numeric.random_values(net, samples=1, seed=0), learning_rate=1e308)
    with pytest.raises(sbp.SpecError, match="the parameters overflow within 3 updates"):
        train(net, values, read_training({"optimizer": "adam", "steps": 3}))
