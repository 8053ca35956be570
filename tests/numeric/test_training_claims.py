"""verify SPEC with [claims.local], [claims.step_size] and [claims.after.K]: training runs' published numbers,
and the slip behind a wrong one.

The planted numbers are computed here by a training loop written out in NumPy for one network shape
(sigmoid, half_sse, a bias per neuron), sharing nothing with the engine, each with one slip a worked
example makes; the engine must call each wrong and name that slip, and call the right ones confirmed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from symbackprop.base.errors import SpecError
from symbackprop.model.network import Network
from symbackprop.numeric.claimed_numbers import check_numbers

X = np.array([[0.3, -0.8], [0.9, 0.2]])
Y = np.array([[0.1, 0.8], [0.7, 0.3]])
W1 = np.array([[0.4, -0.6], [0.7, 0.1], [-0.2, 0.5]])
B1 = np.array([0.1, -0.3, 0.2])
W2 = np.array([[0.3, -0.5, 0.8], [-0.7, 0.2, 0.6]])
B2 = np.array([-0.1, 0.4])
RATE = 0.5
AHEAD = "the output weights updated before the hidden deltas were computed from them"

NETWORK = f"""
layers = [2, 3, 2]
activation = "sigmoid"
cost = "half_sse"
bias = "neuron"

[values]
x = {X.tolist()}
y = {Y.tolist()}
weights = [{W1.tolist()}, {W2.tolist()}]
biases = [{B1.tolist()}, {B2.tolist()}]
learning_rate = {RATE}
"""


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def hand_train(steps, ahead=False, biases=True, summed=False, rate=RATE, order=None):
    """Plain gradient descent on the mean of half the squared error, written out; the keywords plant a slip."""
    w1, b1, w2, b2 = W1.copy(), B1.copy(), W2.copy(), B2.copy()
    for step in range(steps):
        x, y = (X, Y) if order is None else (X[order[step % 2]][None], Y[order[step % 2]][None])
        n = 1 if summed else len(x)
        h = sigmoid(x @ w1.T + b1)
        out = sigmoid(h @ w2.T + b2)
        d2 = (out - y) * out * (1 - out)
        g2, gb2 = d2.T @ h / n, d2.sum(axis=0) / n
        through = w2 - rate * g2 if ahead else w2
        d1 = (d2 @ through) * h * (1 - h)
        g1, gb1 = d1.T @ x / n, d1.sum(axis=0) / n
        w1, w2 = w1 - rate * g1, w2 - rate * g2
        if biases:
            b1, b2 = b1 - rate * gb1, b2 - rate * gb2
    return w1, b1, w2, b2


def hand_outputs(params, x=X):
    w1, b1, w2, b2 = params
    return sigmoid(sigmoid(x @ w1.T + b1) @ w2.T + b2)


def hand_cost(params):
    return float(np.mean(np.sum((hand_outputs(params) - Y) ** 2, axis=1) / 2))


def check(tmp_path: Path, text: str, network: str = NETWORK) -> list:
    path = tmp_path / "run.toml"
    path.write_text(network + text)
    return check_numbers(Network.from_toml(path))


def only(rows):
    (row,) = rows
    return row


def test_the_right_numbers_after_training_are_confirmed(tmp_path):
    after3 = hand_train(3)
    rows = check(
        tmp_path,
        f"""
[training]
steps = 3
[claims.after.3]
cost = {hand_cost(after3):.10f}
[claims.after.3.values]
"a_{{1}}^{{(2)}}" = {hand_outputs(after3)[0, 1]:.10f}
[claims.after.3.parameters]
"w_{{21}}^{{(1)}}" = {after3[0][2, 1]:.10f}
"b_{{1}}^{{(2)}}" = {after3[3][1]:.10f}
""",
    )
    assert [r.verdict for r in rows] == ["confirmed"] * 4
    assert [r.section for r in rows] == ["after.3", "after.3.values", "after.3.parameters", "after.3.parameters"]


@pytest.mark.parametrize(
    ("planted", "claim", "slip"),
    [
        (lambda: hand_cost(hand_train(3, ahead=True)), "cost", AHEAD),
        (lambda: hand_cost(hand_train(3, biases=False)), "cost", "the biases not updated"),
        (
            lambda: hand_cost(hand_train(3, rate=RATE**2)),
            "cost",
            "the learning rate applied twice (eta squared for eta)",
        ),
        # with 2 samples and a rate of 0.5, leaving the rate out is the same run as the sum for the mean: both named
        (lambda: hand_cost(hand_train(3, rate=1.0)), "cost", "the learning rate left out (eta taken as 1)"),
        (lambda: hand_cost(hand_train(3, rate=1.0)), "cost", "the sum over the samples taken instead of their mean"),
        (lambda: hand_cost(hand_train(2)), "cost", "the value after one update fewer"),
        (
            lambda: hand_train(3, summed=True)[2][1, 2],
            "parameters",
            "the sum over the samples taken instead of their mean",
        ),
        (lambda: hand_outputs(hand_train(3, ahead=True))[0, 0], "values", AHEAD),
    ],
)
def test_a_number_from_a_slipped_run_is_wrong_and_names_the_slip(tmp_path, planted, claim, slip):
    if claim == "cost":
        table = f"[claims.after.3]\ncost = {planted():.10f}\n"
    else:
        ref = '"w_{12}^{(2)}"' if claim == "parameters" else '"a_{0}^{(2)}"'
        table = f"[claims.after.3.{claim}]\n{ref} = {planted():.10f}\n"
    row = only(check(tmp_path, "[training]\nsteps = 3\n" + table))
    assert row.verdict == "wrong"
    assert slip in row.slip.split("; or ")
    assert row.note == f"reproduced with a slip: {row.slip}"


def test_a_wrong_sample_order_is_found_when_samples_are_taken_one_at_a_time(tmp_path):
    reversed_run = hand_cost(hand_train(3, order=(1, 0)))
    assert abs(reversed_run - hand_cost(hand_train(3, order=(0, 1)))) > 1e-6
    right = check(
        tmp_path,
        f'[training]\nbatch = "sample"\n[claims.after.3]\ncost = {hand_cost(hand_train(3, order=(0, 1))):.10f}\n',
    )
    assert only(right).verdict == "confirmed"
    row = only(check(tmp_path, f'[training]\nbatch = "sample"\n[claims.after.3]\ncost = {reversed_run:.10f}\n'))
    assert (row.verdict, row.slip) == ("wrong", "the samples taken in the order 2, 1")


def test_the_first_step_step_size_and_gradients_name_their_slips(tmp_path):
    one = hand_train(1)
    step = W2[1, 0] - one[2][1, 0]
    twice, summed = (
        W2[1, 0] - hand_train(1, rate=RATE**2)[2][1, 0],
        (W1[0, 1] - hand_train(1, summed=True)[0][0, 1]) / RATE,
    )
    ahead = W1[2, 0] - hand_train(1, ahead=True)[0][2, 0]
    rows = check(
        tmp_path,
        f"""
[claims.step_size]
"w_{{10}}^{{(2)}}" = {step:.10f}
"w_{{20}}^{{(1)}}" = {ahead:.10f}
[claims.gradients]
"w_{{01}}^{{(1)}}" = {summed:.10f}
[claims.updated]
"w_{{10}}^{{(2)}}" = {W2[1, 0] - twice:.10f}
""",
    )
    by_reference = {(r.section, r.reference): r for r in rows}
    assert by_reference["step_size", "w_{10}^{(2)}"].verdict == "confirmed"
    assert "output weights updated before" in by_reference["step_size", "w_{20}^{(1)}"].slip
    assert "the sum over the samples" in by_reference["gradients", "w_{01}^{(1)}"].slip
    assert "applied twice" in by_reference["updated", "w_{10}^{(2)}"].slip


def test_a_mistyped_number_is_wrong_with_no_slip_to_name(tmp_path):
    row = only(check(tmp_path, f"[claims.after.2]\ncost = {hand_cost(hand_train(2)) + 0.0123:.10f}\n"))
    assert (row.verdict, row.slip, row.note) == ("wrong", "", "")


def test_local_factors_are_each_quantity_differentiated_by_its_neighbour(tmp_path):
    h = sigmoid(X[0] @ W1.T + B1)
    out = sigmoid(h @ W2.T + B2)
    rows = check(
        tmp_path,
        f"""
[claims.local]
"a_{{1}}^{{(2)}}/z_{{1}}^{{(2)}}" = {out[1] * (1 - out[1]):.10f}
"z_{{1}}^{{(2)}}/w_{{12}}^{{(2)}}" = {h[2]:.10f}
"z_{{1}}^{{(2)}}/a_{{0}}^{{(1)}}" = {W2[1, 0]:.10f}
"z_{{1}}^{{(2)}}/b_{{1}}^{{(2)}}" = 1
"C_0/a_{{0}}^{{(2)}}" = {out[0] - Y[0, 0]:.10f}
"z_{{0}}^{{(1)}}/a_{{1}}^{{(0)}}" = {W1[0, 1] + 0.01:.10f}
""",
    )
    assert [r.verdict for r in rows] == ["confirmed"] * 5 + ["wrong"]
    assert (rows[0].ref.kind, rows[0].over.kind) == ("a", "z")
    assert rows[4].ref is None


def test_softmax_local_factors_cross_neurons(tmp_path):
    body = NETWORK.replace('activation = "sigmoid"', 'activation = ["sigmoid", "softmax"]').replace(
        "half_sse", "cross_entropy"
    )
    h = sigmoid(X[0] @ W1.T + B1)
    z = h @ W2.T + B2
    a = np.exp(z) / np.exp(z).sum()
    rows = check(tmp_path, f'[claims.local]\n"a_{{0}}^{{(2)}}/z_{{1}}^{{(2)}}" = {-a[0] * a[1]:.10f}\n', body)
    assert only(rows).verdict == "confirmed"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[claims.local]\n"a_{0}^{(2)}" = 1\n', "must name two quantities"),
        ('[claims.local]\n"a_{0}^{(2)}/w_{00}^{(1)}" = 1\n', "a_{0}^{(2)} is not computed directly from w_{00}^{(1)}"),
        ('[claims.local]\n"a_{0}^{(2)}/z_{1}^{(2)}" = 1\n', "is not computed directly from z_{1}^{(2)}"),
        ("[claims.after.x]\ncost = 1\n", "claims.after: 'x' is not a number of updates"),
        ("[claims.after.2]\nupdated = 1\n", "claims.after.2: unknown key 'updated'"),
        ('[claims.after.2.parameters]\n"a_{0}^{(1)}" = 1\n', "is not one of the kinds this table takes (w, b)"),
        ('[claims.step_size]\n"z_{0}^{(1)}" = 1\n', "claims.step_size: 'z_{0}^{(1)}' is not one of the kinds"),
    ],
)
def test_a_bad_claims_table_is_named(tmp_path, table, message):
    with pytest.raises(
        SpecError,
        match=message.replace("(", r"\(")
        .replace(")", r"\)")
        .replace("^", r"\^")
        .replace("{", r"\{")
        .replace("}", r"\}"),
    ):
        check(tmp_path, table)


def test_mazurs_training_run_flags_each_published_number_with_its_cause(cmdline):
    done = cmdline.run("verify", "example:mazur-training", "--json")
    assert done.returncode == 1, done.stderr
    rows = {(r["section"], r["reference"]): r for r in json.loads(done.stdout)["numbers"]}
    assert {r["verdict"] for k, r in rows.items() if k[0] == "local"} == {"confirmed"}
    ahead = "the output weights updated before the hidden deltas were computed from them"
    assert rows["after.1", "cost"]["slip"] == ahead
    assert rows["after.10000.values", "a_{0}^{(2)}"]["slip"] == ahead
    assert rows["after.10000.values", "a_{1}^{(2)}"]["slip"] == ahead
    assert rows["after.10000", "cost"]["slip"] == "the value after one update fewer"
    assert rows["local", "C/a_{0}^{(2)}"]["slip"] is None


HAN_KAMBER = """
# J. Han and M. Kamber, Data Mining: Concepts and Techniques, the worked example of backpropagation:
# 3-2-1 logistic, one sample, Err_j = O_j (1 - O_j)(T_j - O_j) (half the squared error), biases updated, l = 0.9.
# Their Err is -dE/dnet, so it is claimed here with the other sign.
layers = [3, 2, 1]
activation = "sigmoid"
cost = "half_sse"
[values]
x = [1, 0, 1]
y = [1]
weights = [[[0.2, 0.4, -0.5], [-0.3, 0.1, 0.2]], [[-0.3, -0.2]]]
biases = [[-0.4, 0.2], [0.1]]
learning_rate = 0.9
[claims.values]
"z_{0}^{(1)}" = -0.7
"a_{0}^{(1)}" = 0.332
"z_{1}^{(1)}" = 0.1
"a_{1}^{(1)}" = 0.525
"z_{0}^{(2)}" = -0.105
"a_{0}^{(2)}" = 0.474
[claims.gradients]
"z_{0}^{(2)}" = -0.1311
"z_{1}^{(1)}" = 0.0065
"z_{0}^{(1)}" = 0.0087
[claims.updated]
"w_{00}^{(2)}" = -0.261
"w_{01}^{(2)}" = -0.138
"w_{00}^{(1)}" = 0.192
"w_{10}^{(1)}" = -0.306
"w_{01}^{(1)}" = 0.4
"w_{11}^{(1)}" = 0.1
"w_{02}^{(1)}" = -0.508
"w_{12}^{(1)}" = 0.194
"b_{0}^{(2)}" = 0.218
"b_{1}^{(1)}" = 0.194
"""


def test_a_held_out_textbook_example_with_biases_updated_is_confirmed(tmp_path):
    rows = check(tmp_path, "", HAN_KAMBER)
    assert len(rows) == 19
    assert [(r.section, r.reference) for r in rows if r.verdict != "confirmed"] == [("gradients", "z_{0}^{(2)}")]
    assert rows[6].verdict == "rounding carried forward"  # Err6 worked from the forward values printed to 3 places


def test_a_bias_the_training_holds_is_where_it_was_after_the_step(tmp_path):
    rows = check(
        tmp_path,
        f"""
[training]
update_biases = false
[claims.updated]
"b_{{1}}^{{(2)}}" = {B2[1]}
[claims.step_size]
"b_{{1}}^{{(2)}}" = 0
[claims.after.1.parameters]
"b_{{1}}^{{(2)}}" = {B2[1]}
""",
    )
    assert [r.verdict for r in rows] == ["confirmed"] * 3


def test_a_run_too_long_to_replay_is_wrong_without_a_slip_and_says_why(tmp_path, monkeypatch):
    from symbackprop.numeric import claimed_training

    monkeypatch.setattr(claimed_training, "SLIP_STEPS", 5)
    row = only(check(tmp_path, f"[claims.after.9]\ncost = {hand_cost(hand_train(9, ahead=True)):.10f}\n"))
    assert (row.verdict, row.slip) == ("wrong", "")
    assert row.note.startswith("not traced to a slip: the run is longer than the search replays (5 updates")


@pytest.mark.parametrize("number", ['"1e999999999"', "1e999999999", '"1e-999"', "-1e401"])
def test_a_number_no_source_prints_is_refused(tmp_path, number):
    with pytest.raises(SpecError, match=r"must be a finite number a source prints \(from 1e-400 to 1e400\)"):
        check(tmp_path, f"[claims.after.1]\ncost = {number}\n")


def test_a_gradient_from_already_updated_weights_is_traced_at_the_specs_rate(tmp_path):
    slipped = (W1[1, 0] - hand_train(1, ahead=True)[0][1, 0]) / RATE
    row = only(check(tmp_path, f'[claims.gradients]\n"w_{{10}}^{{(1)}}" = {slipped:.10f}\n'))
    assert (row.verdict, row.slip) == ("wrong", AHEAD)


def test_a_number_the_run_as_specified_gives_names_no_slip(tmp_path):
    rows = check(tmp_path, f"[claims.after.2]\ncost = {hand_cost(hand_train(2)):.10f}\n")
    assert (only(rows).verdict, only(rows).slip) == ("confirmed", "")


def test_leading_zeros_in_a_number_of_updates_are_refused(tmp_path):
    with pytest.raises(SpecError, match=r"claims\.after: '01' is not a number of updates"):
        check(tmp_path, "[claims.after.01]\ncost = 1\n")


RGU = """
# The worked example of a university course chapter ("Chapter 3: The Back Propagation Algorithm", Robert
# Gordon University, linked from Mazur's article): 2-2-1 logistic, no biases, eta = 1, its error signal
# (t - o) o (1 - o) being -dE/dnet of half the squared error, so claimed here with the other sign. Its hidden
# deltas are worked from the output weights it had just updated.
layers = [2, 2, 1]
activation = "sigmoid"
cost = "half_sse"
bias = "none"
[values]
x = [0.35, 0.9]
y = [0.5]
weights = [[[0.1, 0.8], [0.4, 0.6]], [[0.3, 0.9]]]
learning_rate = 1
[claims.values]
"a_{0}^{(1)}" = 0.68
"a_{1}^{(1)}" = 0.6637
"a_{0}^{(2)}" = 0.69
[claims.gradients]
"z_{0}^{(2)}" = 0.0406
"z_{0}^{(1)}" = 0.002406
"z_{1}^{(1)}" = 0.007916
[claims.updated]
"w_{00}^{(2)}" = 0.272392
"w_{01}^{(2)}" = 0.87305
"w_{00}^{(1)}" = 0.09916
"w_{01}^{(1)}" = 0.7978
"w_{10}^{(1)}" = 0.3972
"w_{11}^{(1)}" = 0.5928
"""


def test_a_published_example_that_updates_before_backpropagating_is_caught_with_its_cause(tmp_path):
    rows = {(r.section, r.reference): r for r in check(tmp_path, "", RGU)}
    for hidden in ("z_{0}^{(1)}", "z_{1}^{(1)}"):  # its deltas, by hand from the updated weights it printed
        row = rows["gradients", hidden]
        assert (row.verdict, row.slip) == ("wrong", AHEAD)
        assert "worked by hand with the printed updated weights" in row.note
    for weight in ("w_{00}^{(1)}", "w_{01}^{(1)}"):  # its steps, from those deltas
        assert (rows["updated", weight].verdict, rows["updated", weight].slip) == ("wrong", AHEAD)
    assert rows["gradients", "z_{0}^{(2)}"].verdict == "rounding carried forward"  # 0.19 x 0.2139, as printed
    assert rows["updated", "w_{00}^{(2)}"].verdict == "rounding carried forward"
    assert (rows["updated", "w_{11}^{(1)}"].verdict, rows["updated", "w_{11}^{(1)}"].slip) == ("wrong", "")
    assert {rows["values", ref].verdict for ref in ("a_{0}^{(1)}", "a_{1}^{(1)}", "a_{0}^{(2)}")} == {"confirmed"}


def test_the_total_cost_printed_for_the_mean_is_named(tmp_path):
    rows = check(
        tmp_path,
        f"[claims]\ncost = {2 * hand_cost((W1, B1, W2, B2)):.10f}\n"
        f"[claims.after.2]\ncost = {2 * hand_cost(hand_train(2)):.10f}\n",
    )
    assert [(r.verdict, r.slip) for r in rows] == [
        ("wrong", "the total cost over the samples printed instead of their mean")
    ] * 2
