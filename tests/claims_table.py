"""Claims with their expected verdicts and diagnoses, over networks in both notations.

Each row: network name, the derivative (--wrt, or None when the claim's left-hand side
names it), the claim as a textbook or a student writes it, the verdict, and the diagnosis
kind for a wrong claim (None where no known mistake explains it).
"""

from __future__ import annotations

from symbackprop.model.network import Network

NETWORKS = {
    # The source texts' generic network: four layers, g everywhere, no biases, neurons from 0.
    "deep": dict(layers=[2, 3, 6, 4], activation="g", cost="sse", bias="none"),
    # One neuron per layer, sigmoid, with biases: the first source text's chain.
    "one": dict(layers=[1, 1, 1, 1], activation="sigmoid", cost="sse"),
    # Nielsen's notation: absolute layers without parentheses, neurons from 1, delta defined, half_sse.
    "nielsen": dict(layers=[2, 3, 2], notation="nielsen"),
    "softmax": dict(layers=[3, 4, 3], activation=["tanh", "softmax"], cost="cross_entropy"),
    "tanh": dict(layers=[2, 2, 1], activation="tanh", cost="half_sse"),
    "relu": dict(layers=[2, 2, 1], activation="relu", cost="half_sse"),
    "mse": dict(layers=[2, 2, 3], activation="sigmoid", cost="mse"),
    "bce": dict(layers=[2, 2, 1], activation="sigmoid", cost="binary_cross_entropy"),
    "shared": dict(layers=[2, 2, 2], activation="sigmoid", cost="sse", bias="layer"),
    # example:worked's shape: two outputs, three hidden neurons, so a summed j that also indexes
    # the hidden layer (w_{1j}) runs over layers of different sizes.
    "worked": dict(layers=[2, 3, 2], activation="sigmoid", cost="sse"),
}


def network(name: str) -> Network:
    return Network(**NETWORKS[name])


W12 = "w_{12}^{(L)}"
OUT = r"2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)})"
HIDDEN_SUM = r"\sum_{j=0}^{n-1} 2\left(a_j^{(L)} - y_j\right) g'^{(L)}\left(z_j^{(L)}\right) w_{j2}^{(L)}"
CHAIN = (
    r"\frac{\partial C_0}{\partial a_1^{(L)}} \frac{\partial a_1^{(L)}}{\partial z_1^{(L)}}"
    r" \frac{\partial z_1^{(L)}}{\partial w_{12}^{(L)}}"
)

CLAIMS = [
    # --- the generic network of the source texts -------------------------------------------
    ("deep", W12, OUT + " a_2^{(L-1)}", "correct", None),
    ("deep", W12, r"2 \cdot (a_1^{(L)} - y_1) \times g'^{(L)}(z_1^{(L)}) \cdot a_2^{(L-1)}", "correct", None),
    ("deep", W12, r"a_2^{(L-1)}\, g'^{(L)}\left(z_1^{(L)}\right)\, 2\left(a_1^{(L)} - y_1\right)", "correct", None),
    ("deep", None, r"\frac{\partial C_0}{\partial w_{12}^{(L)}} = " + OUT + " a_2^{(L-1)}", "correct", None),
    ("deep", W12, CHAIN, "correct", None),
    ("deep", W12, CHAIN.replace("\\partial", "\\mathrm{d}"), "correct", None),
    # \sigma on a layer whose activation is any g is that layer's g, as the texts use it
    ("deep", W12, r"2(a_1^{(L)} - y_1) \sigma'(z_1^{(L)}) a_2^{(L-1)}", "correct", None),
    ("deep", W12, r"2(a_1^{(L)} - y_1) \sigma'^{(L)}(z_1^{(L)}) a_2^{(L-1)}", "correct", None),
    ("deep", W12, r"2(a_1^{(L)} - \sigma(z_1^{(L)})) \sigma'(z_1^{(L)}) a_2^{(L-1)}", "incorrect", None),
    # a prime raised inside the layer superscript, as the second source text typesets g'
    (
        "deep",
        W12,
        r"2(a_1^{(L)} - y_1) g^{^{\prime }\left( L\right) }\left( z_{1}^{\left( L\right) }\right) a_2^{(L-1)}",
        "correct",
        None,
    ),
    # the operator form: the derivative of the bracketed group after it, one factor of the chain
    (
        "deep",
        W12,
        r"\frac{\partial }{\partial a_{1}^{(L)}}\left("
        r"\left(a_1^{(L)} - y_1\right)^2\right) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}",
        "correct",
        None,
    ),
    (
        "deep",
        W12,
        r"\frac{\partial}{\partial a_{1}^{(L)}}\left(\left(a_1^{(L)} - y_1\right)^2\right)"
        r" \frac{\partial}{\partial z_{1}^{(L)}}\left(g^{(L)}(z_1^{(L)})\right)"
        r" \frac{\partial}{\partial w_{12}^{(L)}} \sum_{k} w_{1k}^{(L)} a_k^{(L-1)}",
        "correct",
        None,
    ),
    ("deep", "z_1^{(L)}", r"\frac{d}{dz_1^{(L)}} \left(a_1^{(L)} - y_1\right)^2", "correct", None),
    (
        "deep",
        W12,
        r"\frac{\partial }{\partial a_{1}^{(L)}}\left(\frac{1}{2}(a_1^{(L)} - y_1)^2\right)"
        r" g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}",
        "incorrect",
        "factor_2_dropped",
    ),
    # several sides: every one after the leading derivative must be right
    (
        "deep",
        None,
        r"\frac{\partial C_0}{\partial w_{12}^{(L)}} = " + CHAIN + " = " + OUT + " a_2^{(L-1)}",
        "correct",
        None,
    ),
    (
        "deep",
        None,
        r"\frac{\partial C_0}{\partial w_{12}^{(L)}} = " + CHAIN + r" = 2(a_1^{(L)} - y_1) a_2^{(L-1)}",
        "incorrect",
        "activation_derivative_missing",
    ),
    ("deep", W12, CHAIN + " = " + OUT + " a_2^{(L-1)}", "correct", None),
    (
        "deep",
        None,
        r"\frac{dC_0}{dw_{12}^{(L)}} = 2(a_1^{(L)} - y_1) g^{(L)\prime}(z_1^{(L)}) a_2^{(L-1)}",
        "correct",
        None,
    ),
    ("deep", W12, r"$2(a_1^{(L)} - y_1) {g^{(L)}}'(z_1^{(L)}) a_2^{(L-1)}$", "correct", None),
    ("deep", W12, r"(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}", "incorrect", "factor_2_dropped"),
    ("deep", W12, r"4(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}", "incorrect", "factor_2_added"),
    ("deep", W12, r"2(y_1 - a_1^{(L)}) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}", "incorrect", "sign"),
    ("deep", W12, r"2(a_1^{(L)} - y_1) a_2^{(L-1)}", "incorrect", "activation_derivative_missing"),
    ("deep", W12, OUT + " a_2^{(L)}", "incorrect", "wrong_layer"),
    ("deep", W12, r"2(a_2^{(L)} - y_2) g'^{(L)}(z_2^{(L)}) a_1^{(L-1)}", "incorrect", "indices_swapped"),
    (
        "deep",
        W12,
        r"\frac{\partial C_0}{\partial a_1^{(L)}} \frac{\partial z_1^{(L)}}{\partial w_{12}^{(L)}}",
        "incorrect",
        "activation_derivative_missing",
    ),
    ("deep", "z_1^{(L)}", OUT, "correct", None),
    ("deep", "a_2^{(L-1)}", HIDDEN_SUM, "correct", None),
    ("deep", "a_2^{(L-1)}", HIDDEN_SUM.replace("n-1", "n_L-1"), "correct", None),
    ("deep", "a_2^{(L-1)}", HIDDEN_SUM.replace("n-1", "3"), "correct", None),
    ("deep", "a_2^{(L-1)}", HIDDEN_SUM.replace("_{j=0}^{n-1}", "_{k}").replace("j", "k"), "correct", None),
    ("deep", "a_2^{(L-1)}", r"2(a_0^{(L)} - y_0) g'^{(L)}(z_0^{(L)}) w_{02}^{(L)}", "incorrect", "sum_missing"),
    ("deep", "a_2^{(L-1)}", HIDDEN_SUM.replace("w_{j2}", "w_{2j}"), "incorrect", "sum_wrong_index"),
    ("deep", "a_2^{(L-1)}", HIDDEN_SUM.replace("n-1", "n-2"), "incorrect", None),
    (
        "deep",
        "w_{22}^{(L-1)}",
        r"a_2^{(L-2)} g'^{(L-1)}(z_2^{(L-1)}) " + HIDDEN_SUM,
        "correct",
        None,
    ),
    (
        "deep",
        "w_{22}^{(L-1)}",
        r"a_2^{(L-1)} g'^{(L-1)}(z_2^{(L-1)}) " + HIDDEN_SUM,
        "incorrect",
        "wrong_layer",
    ),
    (
        "deep",
        "w_{22}^{(L-1)}",
        r"a_2^{(L-2)} g'^{(L-1)}(z_2^{(L-1)}) 2(a_3^{(L)} - y_3) g'^{(L)}(z_3^{(L)}) w_{32}^{(L)}",
        "incorrect",
        "sum_missing",
    ),
    (
        "deep",
        "w_{22}^{(L-1)}",
        r"a_2^{(L-2)} \frac{\partial C_0}{\partial a_2^{(L-1)}}",
        "incorrect",
        "activation_derivative_missing",
    ),
    # --- one neuron per layer, sigmoid, the first source text ---------------------------------
    ("one", "w^{(L)}", r"a^{(L-1)} \sigma'(z^{(L)}) 2(a^{(L)} - y)", "correct", None),
    # the first source text's own notation: the layer in parentheses, no braces
    ("one", "w^(L)", r"a^(L-1) \sigma'(z^(L)) 2(a^(L) - y)", "correct", None),
    ("one", "b^(L)", r"\sigma'(z^(L)) 2(a^(L) - y)", "correct", None),
    ("one", "a^(L-1)", r"w^(L) \sigma'(z^(L)) 2(a^(L) - y)", "correct", None),
    ("one", "w^(L)", r"a^(L-1) \sigma'(z^(L)) 2(a^(L) - y^(L))", "correct", None),
    ("one", "w^(L-1)", r"a^(L-2) \sigma'(z^(L-1)) w^(L) \sigma'(z^(L)) 2(a^(L) - y)", "correct", None),
    ("one", "w^(L)", r"a^(L) \sigma'(z^(L)) 2(a^(L) - y)", "incorrect", "wrong_layer"),
    ("one", "w^(L)", r"a^(L-1) \sigma'(z^(L)) (a^(L) - y)^(2)", "incorrect", None),
    ("one", "b^{(L)}", r"\sigma'(z^{(L)}) 2(a^{(L)} - y)", "correct", None),
    ("one", "a^{(L-1)}", r"w^{(L)} \sigma'(z^{(L)}) 2(a^{(L)} - y)", "correct", None),
    ("one", "w^{(L)}", r"a^{(L-1)} a^{(L)}(1 - a^{(L)}) 2(a^{(L)} - y)", "correct", None),
    ("one", "w^{(L)}", r"a^{(L-1)} \frac{e^{-z^{(L)}}}{\left(1+e^{-z^{(L)}}\right)^2} 2(a^{(L)} - y)", "correct", None),
    (
        "one",
        "w^{(L)}",
        r"a^{(L-1)} \frac{\exp(-z^{(L)})}{(1+\exp(-z^{(L)}))^{2}} \cdot 2(a^{(L)} - y)",
        "correct",
        None,
    ),
    ("one", "w^{(L)}", r"a^{(L-1)} \sigma(z^{(L)})\left(1-\sigma(z^{(L)})\right) 2(a^{(L)} - y)", "correct", None),
    (
        "one",
        "w^{(L-1)}",
        r"a^{(L-2)} \sigma'(z^{(L-1)}) w^{(L)} \sigma'(z^{(L)}) 2(a^{(L)} - y)",
        "correct",
        None,
    ),
    ("one", "w^{(L)}", r"a^{(L)} \sigma'(z^{(L)}) 2(a^{(L)} - y)", "incorrect", "wrong_layer"),
    ("one", "w^{(L)}", r"a^{(L-1)} 2(a^{(L)} - y)", "incorrect", "activation_derivative_missing"),
    ("one", "w^{(L)}", r"a^{(L-1)} \sigma'(z^{(L)}) (a^{(L)} - y)", "incorrect", "factor_2_dropped"),
    ("one", "w^{(L)}", r"-a^{(L-1)} \sigma'(z^{(L)}) 2(a^{(L)} - y)", "incorrect", "sign"),
    ("one", "b^{(L)}", r"a^{(L-1)} \sigma'(z^{(L)}) 2(a^{(L)} - y)", "incorrect", None),
    (
        "one",
        "w^{(L-1)}",
        r"a^{(L-2)} w^{(L)} \sigma'(z^{(L)}) 2(a^{(L)} - y)",
        "incorrect",
        "activation_derivative_missing",
    ),
    # --- Nielsen's notation: delta, absolute layers, neurons from 1, the cost with 1/2 -------
    # Nielsen numbers the input layer 1, so in a 2-3-2 network the output layer is layer 3.
    ("nielsen", "w_{12}^{3}", r"a_2^{2} \delta_1^{3}", "correct", None),
    ("nielsen", "w_{12}^{3}", r"(a_1^3 - y_1) \sigma'(z_1^3) a_2^2", "correct", None),
    ("nielsen", "b_1^{3}", r"\delta_1^{3}", "correct", None),
    ("nielsen", "w_{12}^{3}", r"2(a_1^3 - y_1) \sigma'(z_1^3) a_2^2", "incorrect", "factor_2_added"),
    ("nielsen", "w_{12}^{3}", r"a_1^{2} \delta_2^{3}", "incorrect", "indices_swapped"),
    ("nielsen", "a_2^{2}", r"\sum_{j=1}^{n} w_{j2}^{3} \delta_j^{3}", "correct", None),
    # --- softmax with cross-entropy ---------------------------------------------------------
    ("softmax", "w_{10}^{(L)}", r"\left(a_1^{(L)} \sum_{i} y_i - y_1\right) a_0^{(L-1)}", "correct", None),
    ("softmax", "w_{10}^{(L)}", r"(a_1^{(L)} - y_1) a_0^{(L-1)}", "incorrect", "targets_sum_to_one"),
    ("softmax", "z_2^{(L)}", r"a_2^{(L)} (y_0 + y_1 + y_2) - y_2", "correct", None),
    # --- tanh, ReLU, mse, binary cross-entropy, a shared bias per layer ----------------------
    ("tanh", "w_{00}^{(L)}", r"(a^{(L)} - y)(1 - (a^{(L)})^2) a_0^{(L-1)}", "correct", None),
    ("tanh", "w_{00}^{(L)}", r"(a^{(L)} - y)\left(1 - \tanh^2(z^{(L)})\right) a_0^{(L-1)}", "correct", None),
    ("tanh", "w_{00}^{(L)}", r"(a^{(L)} - y) a^{(L)}(1 - a^{(L)}) a_0^{(L-1)}", "incorrect", None),
    ("relu", "w_{00}^{(L)}", r"(a^{(L)} - y) \mathbb{1}[z^{(L)} > 0] a_0^{(L-1)}", "correct", None),
    ("relu", "w_{00}^{(L)}", r"(a^{(L)} - y) \operatorname{ReLU}'(z^{(L)}) a_0^{(L-1)}", "correct", None),
    ("relu", "w_{00}^{(L)}", r"(a^{(L)} - y) a_0^{(L-1)}", "incorrect", "activation_derivative_missing"),
    ("mse", "w_{10}^{(L)}", r"\frac{2}{3}(a_1^{(L)} - y_1)\sigma'(z_1^{(L)}) a_0^{(L-1)}", "correct", None),
    ("mse", "w_{10}^{(L)}", r"\frac{2}{n}(a_1^{(L)} - y_1)\sigma'(z_1^{(L)}) a_0^{(L-1)}", "correct", None),
    ("mse", "w_{10}^{(L)}", r"2(a_1^{(L)} - y_1)\sigma'(z_1^{(L)}) a_0^{(L-1)}", "incorrect", "mean_missing"),
    ("bce", "w_{00}^{(L)}", r"(a^{(L)} - y) a_0^{(L-1)}", "correct", None),
    ("shared", "b^{(L)}", r"\sum_{j} 2(a_j^{(L)} - y_j)\sigma'(z_j^{(L)})", "correct", None),
    ("shared", "b^{(L)}", r"2(a_1^{(L)} - y_1)\sigma'(z_1^{(L)})", "incorrect", "sum_missing"),
    # products commute: the summed j gets the same range whichever factor comes first
    ("worked", "a_1^{(L-1)}", r"\sum_{j} w_{j1}^{(L)} 2(a_j^{(L)} - y_j)\sigma'(z_j^{(L)})", "correct", None),
    ("worked", "a_1^{(L-1)}", r"\sum_{j} 2(a_j^{(L)} - y_j)\sigma'(z_j^{(L)}) w_{j1}^{(L)}", "correct", None),
    (
        "worked",
        "a_1^{(L-1)}",
        r"\sum_{j} 2(a_j^{(L)} - y_j)\sigma'(z_j^{(L)}) w_{1j}^{(L)}",
        "incorrect",
        "sum_wrong_index",
    ),
    (
        "worked",
        "a_1^{(L-1)}",
        r"\sum_{j} w_{1j}^{(L)} 2(a_j^{(L)} - y_j)\sigma'(z_j^{(L)})",
        "incorrect",
        "sum_wrong_index",
    ),
]

# --- what the left-hand side names: factors of the chain, a free index, the mean over samples ---
MEAN = r"\frac{\partial C}{\partial w_{12}^{(L)}} = "
EACH = r"\frac{\partial C_{i}}{\partial w_{12}^{(L)}}"


def alone(k: str) -> str:
    """Sample k's derivative written alone, outside a sum: C_0, C_{n-1}."""
    return EACH.replace("C_{i}", "C_{" + k + "}")


CLAIMS += [
    # factors of the chain, deeplizard's form: each quantity through its own forward definition
    ("deep", None, r"\frac{\partial a_{1}^{(L)}}{\partial z_{1}^{(L)}} = g'^{(L)}(z_{1}^{(L)})", "correct", None),
    ("deep", None, r"\frac{\partial a_{1}^{(L)}}{\partial z_{1}^{(L)}} = g^{(L)}(z_{1}^{(L)})", "incorrect", None),
    ("deep", None, r"\frac{\partial z_{1}^{(L)}}{\partial w_{12}^{(L)}} = a_{2}^{(L-1)}", "correct", None),
    ("deep", "w_{12}^{(L)}", r"\frac{\partial z_{1}^{(L)}}{\partial w_{12}^{(L)}} = a_{2}^{(L-1)}", "correct", None),
    ("deep", None, r"\frac{\partial z_{1}^{(L)}}{\partial w_{12}^{(L)}} = a_{2}^{(L)}", "incorrect", "wrong_layer"),
    # dz/dw written as the weight instead of the input it multiplies: the mistake a teacher names
    (
        "deep",
        None,
        r"\frac{\partial z_{1}^{(L)}}{\partial w_{12}^{(L)}} = w_{12}^{(L)}",
        "incorrect",
        "weight_for_input",
    ),
    ("deep", None, r"\frac{\partial z_{1}^{(L)}}{\partial a_{2}^{(L-1)}} = w_{12}^{(L)}", "correct", None),
    (
        "deep",
        None,
        r"\frac{\partial z_{1}^{(L)}}{\partial a_{2}^{(L-1)}} = w_{21}^{(L)}",
        "incorrect",
        "indices_swapped",
    ),
    ("deep", None, r"\frac{\partial C_0}{\partial a_1^{(L)}} = 2(a_1^{(L)} - y_1)", "correct", None),
    ("deep", None, r"\frac{\partial C_0}{\partial a_1^{(L)}} = (a_1^{(L)} - y_1)", "incorrect", "factor_2_dropped"),
    ("deep", None, r"\frac{\partial C_0}{\partial a_1^{(L)}} = 2(y_1 - a_1^{(L)})", "incorrect", "sign"),
    # further than one step: the chain rule over the definitions
    (
        "deep",
        None,
        r"\frac{\partial a_{1}^{(L)}}{\partial w_{22}^{(L-1)}} = "
        r"g'^{(L)}(z_1^{(L)}) w_{12}^{(L)} g'^{(L-1)}(z_2^{(L-1)}) a_2^{(L-2)}",
        "correct",
        None,
    ),
    (
        "deep",
        None,
        r"\frac{\partial a_{1}^{(L)}}{\partial w_{22}^{(L-1)}} = g'^{(L)}(z_1^{(L)}) w_{12}^{(L)} a_2^{(L-2)}",
        "incorrect",
        "activation_derivative_missing",
    ),
    # a free index: checked for each neuron j of layer L
    ("deep", None, r"\frac{\partial z_{j}^{(L)}}{\partial a_{2}^{(L-1)}} = w_{j2}^{(L)}", "correct", None),
    (
        "deep",
        None,
        r"\frac{\partial z_{j}^{(L)}}{\partial a_{2}^{(L-1)}} = w_{2j}^{(L)}",
        "incorrect",
        "indices_swapped",
    ),
    ("deep", None, r"\frac{\partial z_{j}^{(L)}}{\partial a_{2}^{(L-1)}} = a_{2}^{(L-1)}", "incorrect", None),
    ("deep", None, r"\frac{\partial C_0}{\partial a_{j}^{(L)}} = 2(a_j^{(L)} - y_j)", "correct", None),
    ("deep", None, r"\frac{\partial C_0}{\partial a_{j}^{(L)}} = (a_j^{(L)} - y_j)", "incorrect", "factor_2_dropped"),
    # the mean over a batch of n samples (n a letter), samples numbered from 0 or from 1
    ("deep", None, MEAN + r"\frac{1}{n}\sum_{i=0}^{n-1}" + EACH, "correct", None),
    ("deep", None, MEAN + r"\frac{1}{n}\sum_{i=1}^{n}" + EACH, "correct", None),
    ("deep", None, MEAN + r"\frac{1}{n}\sum_{i}" + EACH, "correct", None),
    ("deep", None, MEAN + r"\sum_{i=0}^{n-1} \frac{1}{n}" + EACH, "correct", None),
    ("deep", None, MEAN + r"\frac{\sum_{i=1}^{n}" + EACH + "}{n}", "correct", None),
    ("deep", "w_{12}^{(L)}", MEAN + r"\frac{1}{n}\sum_{i=0}^{n-1}" + EACH, "correct", None),
    ("deep", None, MEAN + r"\sum_{i=0}^{n-1}" + EACH, "incorrect", "mean_missing"),
    ("deep", None, MEAN + r"\sum_{i=1}^{n}" + EACH, "incorrect", "mean_missing"),
    ("deep", None, MEAN + r"\frac{1}{n}\sum_{i=0}^{n}" + EACH, "incorrect", "sample_count"),
    ("deep", None, MEAN + r"\frac{1}{n}\sum_{i=1}^{n-1}" + EACH, "incorrect", "sample_count"),
    (
        "deep",
        None,
        MEAN + r"\frac{1}{n}\sum_{i=0}^{n-1}\frac{\partial C_{i}}{\partial w_{21}^{(L)}}",
        "incorrect",
        None,
    ),
    ("deep", None, MEAN + r"\frac{\partial C_0}{\partial w_{12}^{(L)}}", "incorrect", "sample_count"),
    # a sample written alone, C_0 or C_n, and a sum over the rest: the samples named say how they are numbered
    (
        "deep",
        None,
        MEAN + r"\frac{1}{n}\left(" + alone("0") + r" + \sum_{i=1}^{n-1}" + EACH + r"\right)",
        "correct",
        None,
    ),
    (
        "deep",
        None,
        MEAN + r"\frac{1}{n}\left(\sum_{i=1}^{n-1}" + EACH + " + " + alone("n") + r"\right)",
        "correct",
        None,
    ),
    ("deep", None, MEAN + r"\frac{1}{n}\sum_{i=0}^{n-2}" + EACH + r" + \frac{1}{n}" + alone("n-1"), "correct", None),
    ("deep", None, MEAN + r"\frac{1}{n}\left(\sum_{i=0}^{n}" + EACH + " - " + alone("0") + r"\right)", "correct", None),
    (
        "deep",
        None,
        MEAN + r"\frac{1}{n}\left(" + alone("0") + r" + \sum_{i=1}^{n}" + EACH + r"\right)",
        "incorrect",
        "sample_count",
    ),
    (
        "deep",
        None,
        MEAN + r"\frac{1}{n}\left(" + alone("0") + r" + \sum_{i=2}^{n}" + EACH + r"\right)",
        "incorrect",
        "sample_outside",
    ),
    ("deep", None, MEAN + r"\frac{1}{n}\sum_{i=2}^{n+1}" + EACH, "incorrect", "sample_outside"),
    (
        "deep",
        None,
        MEAN + r"\frac{1}{n}\left(" + alone("0") + " + " + alone("1") + r" + \sum_{i=2}^{n-1}" + EACH + r"\right)",
        "incorrect",
        "small_batch",
    ),
    (
        "deep",
        None,
        MEAN
        + r"\frac{1}{n}\left("
        + alone("0")
        + r" + \sum_{i=1}^{n-1}"
        + EACH
        + r"\right) = \frac{1}{n}\sum_{i=1}^{n}"
        + EACH,
        "incorrect",
        "sample_outside",
    ),
    (
        "deep",
        None,
        r"\frac{\partial C}{\partial a_{2}^{(L-1)}} = "
        r"\frac{1}{n}\sum_{i=0}^{n-1}\frac{\partial C_{i}}{\partial a_{2}^{(L-1)}}",
        "correct",
        None,
    ),
    # the one-neuron-per-layer form of the first source text, without subscripts
    ("one", None, r"\frac{\partial z^{(L)}}{\partial w^{(L)}} = a^{(L-1)}", "correct", None),
    ("one", None, r"\frac{\partial z^(L)}{\partial w^(L)} = a^(L-1)", "correct", None),
    ("one", None, r"\frac{\partial z^{(L)}}{\partial w^{(L)}} = a^{(L)}", "incorrect", "wrong_layer"),
    ("one", None, r"\frac{\partial z^{(L)}}{\partial b^{(L)}} = 1", "correct", None),
    ("one", None, r"\frac{\partial z^{(L)}}{\partial b^{(L)}} = b^{(L)}", "incorrect", None),
    ("one", None, r"\frac{\partial z^{(L)}}{\partial a^{(L-1)}} = w^{(L)}", "correct", None),
    ("one", None, r"\frac{\partial z^{(L)}}{\partial a^{(L-1)}} = a^{(L-1)}", "incorrect", None),
    ("one", None, r"\frac{\partial a^{(L)}}{\partial z^{(L)}} = \sigma'(z^{(L)})", "correct", None),
    ("one", None, r"\frac{\partial a^{(L)}}{\partial z^{(L)}} = a^{(L)}(1 - a^{(L)})", "correct", None),
    ("one", None, r"\frac{\partial a^{(L)}}{\partial z^{(L)}} = \sigma(z^{(L)})", "incorrect", None),
    ("one", None, r"\frac{\partial C_0}{\partial a^{(L)}} = 2(a^{(L)} - y)", "correct", None),
    ("one", None, r"\frac{\partial C_0}{\partial a^{(L)}} = 2(y - a^{(L)})", "incorrect", "sign"),
    (
        "one",
        None,
        r"\frac{\partial C}{\partial w^{(L)}} = \frac{1}{n}\sum_{i=0}^{n-1}\frac{\partial C_i}{\partial w^{(L)}}",
        "correct",
        None,
    ),
    (
        "one",
        None,
        r"\frac{\partial C}{\partial w^{(L)}} = \sum_{i=0}^{n-1}\frac{\partial C_i}{\partial w^{(L)}}",
        "incorrect",
        "mean_missing",
    ),
    # Nielsen's notation: C_x for one sample, a sum over the samples x
    (
        "nielsen",
        None,
        r"\frac{\partial C}{\partial w_{12}^{2}} = \frac{1}{n}\sum_{x}\frac{\partial C_x}{\partial w_{12}^{2}}",
        "correct",
        None,
    ),
    ("nielsen", None, r"\frac{\partial z_1^{2}}{\partial b_1^{2}} = 1", "correct", None),
]

# Formulas from the source texts, pasted as they are there (only an eqnarray's \begin and \end
# taken off): the source file and line, the example spec, the derivative (None: the formula's
# own left-hand side), the formula. Each must read, and be correct.
SEED_000 = "seeds/000_935635e0d26dfdaa.txt"
SEED_001 = "seeds/001_6e125834526f4589.txt"
SEED_CLAIMS = [
    (SEED_000, 61, "3b1b", "a^(L)", r"2(a^(L) - y)."),
    (
        SEED_001,
        337,
        "deeplizard",
        None,
        r"$\frac{\partial C_{0}}{\partial w_{12}^{(L)}} = \left(\frac{\partial C_{0}}{\partial a_{1}^{(L)}} \right) "
        r"\left(\frac{\partial a_{1}^{(L)}}{\partial z_{1}^{(L)}} \right) "
        r"\left(\frac{\partial z_{1}^{(L)}}{\partial w_{12}^{(L)}}\right) \text{.}$",
    ),
    (
        SEED_001,
        349,
        "deeplizard",
        None,
        r"$\frac{\partial C_{0}}{\partial a_{1}^{(L)}} = \frac{\partial }{\partial a_{1}^{(L)}} "
        r"\left( \sum_{j=0}^{n-1}\left( a_{j}^{(L)}-y_{j}\right)^{2}\right) \text{.}$",
    ),
    (
        SEED_001,
        353,
        "deeplizard",
        "a_1^{(L)}",
        r" \frac{\partial}{\partial a_{1}^{(L)}} \left( \sum_{j=0}^{n-1}\left( a_{j}^{(L)}-y_{j}\right)^{2}\right) "
        r"&=& \frac{\partial }{\partial a_{1}^{(L)}} \left( \left( a_{0}^{(L)}-y_{0}\right)^{2} + "
        r"\left( a_{1}^{(L)}-y_{1}\right)^{2} + \left( a_{2}^{(L)}-y_{2}\right)^{2} + "
        r"\left( a_{3}^{(L)}-y_{3}\right)^{2} \right) \\&=& \frac{\partial }{\partial a_{1}^{(L)}}\left( "
        r"\left( a_{0}^{(L)}-y_{0}\right)^{2}\right) + \frac{\partial }{\partial a_{1}^{(L)}} "
        r"\left( \left( a_{1}^{(L)}-y_{1}\right)^{2}\right) + \frac{\partial }{\partial a_{1}^{(L)}}"
        r"\left( \left( a_{2}^{(L)}-y_{2}\right)^{2}\right) +\frac{\partial }{\partial a_{1}^{(L)}}"
        r"\left( \left( a_{3}^{(L)}-y_{3}\right)^{2}\right) \\&=&2 \left( a_{1}^{\left( L\right) }-y_{1}\right) "
        r"\text{.} ",
    ),
    (
        SEED_001,
        397,
        "deeplizard",
        None,
        r" \frac{\partial C_{0}}{\partial w_{12}^{(L)}} &=& \left( \frac{\partial C_{0}}{\partial a_{1}^{(L)}}\right) "
        r"\left( \frac{\partial a_{1}^{(L)}}{\partial z_{1}^{(L)}}\right) "
        r"\left( \frac{\partial z_{1}^{(L)}}{\partial w_{12}^{(L)}}\right) \\ &=& "
        r"2 \left( a_{1}^{\left( L\right) }-y_{1}\right) \left( g^{\prime \left(L\right) }"
        r"\left( z_{1}^{\left( L\right) }\right) \right) \left( a_{2}^{(L-1)}\right) ",
    ),
    (
        SEED_001,
        455,
        "deeplizard",
        None,
        r"$\frac{\partial C_{0}}{\partial w_{22}^{(L-1)}}=\left( \frac{\partial C_{0}}{ \partial a_{2}^{(L-1)}}\right) "
        r"\left( \frac{\partial a_{2}^{(L-1)}}{\partial z_{2}^{(L-1)}}\right) "
        r"\left( \frac{\partial z_{2}^{(L-1)}}{\partial w_{22}^{(L-1)}}\right) \text{.}$",
    ),
    (
        SEED_001,
        539,
        "deeplizard",
        None,
        r"$\frac{\partial C_{0}}{\partial a_{2}^{(L-1)}} = \sum_{j=0}^{n-1} \left( "
        r"\left(\frac{\partial C_{0}}{\partial a_{j}^{(L)}}\right) "
        r"\left( \frac{\partial a_{j}^{(L)}}{\partial z_{j}^{(L)}}\right) "
        r"\left( \frac{\partial z_{j}^{(L)}}{\partial a_{2}^{(L-1)}}\right) \right) \text{.}$",
    ),
    (
        SEED_001,
        595,
        "deeplizard",
        None,
        r" \frac{\partial C_{0}}{\partial a_{2}^{(L-1)}} &=& \sum_{j=0}^{n-1}\left( "
        r"\left( \frac{\partial C_{0}}{\partial a_{j}^{(L)}}\right) "
        r"\left( \frac{\partial a_{j}^{(L)}}{\partial z_{j}^{(L)}}\right) "
        r"\left( \frac{\partial z_{j}^{(L)}}{\partial a_{2}^{(L-1)}}\right) \right) \\ &=& "
        r"\sum_{j=0}^{n-1}\left( 2\left( a_{j}^{\left( L\right) }-y_{j}\right) "
        r"\left( g^{\prime \left( L\right) }\left( z_{j}^{\left( L\right) }\right)\right) "
        r"\left( w_{j2}^{(L)}\right) \right) ",
    ),
    (
        SEED_001,
        603,
        "deeplizard",
        None,
        r"$\frac{\partial C_{0}}{\partial w_{22}^{(L-1)}} = "
        r"\left( \frac{\partial C_{0}}{ \partial a_{2}^{(L-1)}}\right) "
        r"\left( \frac{\partial a_{2}^{(L-1)}}{\partial z_{2}^{(L-1)}}\right) "
        r"\left( \frac{\partial z_{2}^{(L-1)}}{\partial w_{22}^{(L-1)}}\right)$",
    ),
]

SEED_CLAIMS += [
    (
        SEED_001,
        369,
        "deeplizard",
        None,
        r" \frac{\partial a_{1}^{(L)}}{\partial z_{1}^{(L)}} &=& \frac{\partial }{\partial z_{1}^{(L)}}\left( "
        r"g^{\left( L\right) }\left( z_{1}^{\left(L\right) }\right) \right) \\ &=& "
        r"g^{^{\prime }\left( L\right) }\left( z_{1}^{\left( L\right) }\right) \text{.} ",
    ),
    (
        SEED_001,
        385,
        "deeplizard",
        None,
        r"$\frac{\partial z_{1}^{(L)}}{\partial w_{12}^{(L)}} = \frac{\partial }{\partial w_{12}^{(L)}}\left( "
        r"\sum_{k=0}^{n-1}w_{1k}^{(L)}a_{k}^{(L-1)}\right) \text{.}$",
    ),
    (
        SEED_001,
        405,
        "deeplizard",
        None,
        r"$\frac{\partial C}{\partial w_{12}^{(L)}} = \frac{1}{n}\sum_{i=0}^{n-1}"
        r"\frac{\partial C_{i}}{\partial w_{12}^{(L)}} \text{.}$",
    ),
    (
        SEED_001,
        573,
        "deeplizard",
        None,
        r"$\frac{\partial z_{j}^{(L)}}{\partial a_{2}^{(L-1)}} = \frac{\partial }{ \partial a_{2}^{(L-1)}} "
        r"\sum_{k=0}^{n-1}w_{jk}^{(L)}a_{k}^{(L-1)} \text{.}$",
    ),
    (
        SEED_001,
        623,
        "deeplizard",
        None,
        r"$\frac{\partial C}{\partial a_{2}^{(L-1)}}=\frac{1}{n}\sum_{i=0}^{n-1}"
        r"\frac{ \partial C_{i}}{\partial a_{2}^{(L-1)}}\text{.}$",
    ),
]

# The second source text's displays, each its whole line as the file has it ($\begin{eqnarray*} ...
# \end{eqnarray*}$ and all), pasted as they are: every one is correct.
SEED_DISPLAYS = {
    353: (
        r"$\begin{eqnarray*} \frac{\partial}{\partial a_{1}^{(L)}} \left( \sum_{j=0}^{n-1}\left("
        r" a_{j}^{(L)}-y_{j}\right)^{2}\right) &=& \frac{\partial }{\partial a_{1}^{(L)}}"
        r" \left( \left( a_{0}^{(L)}-y_{0}\right)^{2} + \left( a_{1}^{(L)}-y_{1}\right)^{2}"
        r" + \left( a_{2}^{(L)}-y_{2}\right)^{2} + \left( a_{3}^{(L)}-y_{3}\right)^{2}"
        r" \right) \\&=& \frac{\partial }{\partial a_{1}^{(L)}}\left( \left( a_{0}^{(L)}-y_{0}\right)^{2}\righ"
        r"t) + \frac{\partial }{\partial a_{1}^{(L)}} \left( \left( a_{1}^{(L)}-y_{1}\right)^{2}\right)"
        r" + \frac{\partial }{\partial a_{1}^{(L)}}\left( \left( a_{2}^{(L)}-y_{2}\right)^{2}\right)"
        r" +\frac{\partial }{\partial a_{1}^{(L)}}\left( \left( a_{3}^{(L)}-y_{3}\right)^{2}\right)"
        r" \\&=&2 \left( a_{1}^{\left( L\right) }-y_{1}\right) \text{.} \end{eqnarray*}$"
    ),
    369: (
        r"$\begin{eqnarray*} \frac{\partial a_{1}^{(L)}}{\partial z_{1}^{(L)}} &=&"
        r" \frac{\partial }{\partial z_{1}^{(L)}}\left( g^{\left( L\right) }\left("
        r" z_{1}^{\left(L\right) }\right) \right) \\ &=& g^{^{\prime }\left( L\right)"
        r" }\left( z_{1}^{\left( L\right) }\right) \text{.} \end{eqnarray*}$"
    ),
    389: (
        r"$\begin{eqnarray*} \frac{\partial }{\partial w_{12}^{(L)}}\left(\sum_{k=0}^{n-1}w_{1k}^{(L)}a_{k}^{("
        r"L-1)}\right) &=& \frac{\partial }{\partial w_{12}^{(L)}} \left( w_{10}^{(L)}a_{0}^{(L-1)}"
        r" + w_{11}^{(L)}a_{1}^{(L-1)} + w_{12}^{(L)}a_{2}^{(L-1)} + \cdots + w_{15}^{(L)}a_{5}^{(L-1)}"
        r" \right) \\ &=& \frac{\partial }{\partial w_{12}^{(L)}} w_{10}^{(L)}a_{0}^{(L-1)}"
        r" + \frac{\partial }{\partial w_{12}^{(L)}} w_{11}^{(L)}a_{1}^{(L-1)} +"
        r" \frac{\partial }{\partial w_{12}^{(L)}}w_{12}^{(L)}a_{2}^{(L-1)} + \cdots"
        r" + \frac{\partial }{\partial w_{12}^{(L)}}w_{15}^{(L)}a_{5}^{(L-1)} \\ &=&"
        r" a_{2}^{(L-1)} \end{eqnarray*}$"
    ),
    397: (
        r"$\begin{eqnarray*} \frac{\partial C_{0}}{\partial w_{12}^{(L)}} &=& \left("
        r" \frac{\partial C_{0}}{\partial a_{1}^{(L)}}\right) \left( \frac{\partial"
        r" a_{1}^{(L)}}{\partial z_{1}^{(L)}}\right) \left( \frac{\partial z_{1}^{(L)}}{\partial"
        r" w_{12}^{(L)}}\right) \\ &=& 2 \left( a_{1}^{\left( L\right) }-y_{1}\right)"
        r" \left( g^{\prime \left(L\right) }\left( z_{1}^{\left( L\right) }\right)"
        r" \right) \left( a_{2}^{(L-1)}\right) \end{eqnarray*}$"
    ),
    577: (
        r"$\begin{eqnarray*} \frac{\partial }{\partial a_{2}^{(L-1)}} \sum_{k=0}^{n-1}w_{jk}^{(L)}a_{k}^{(L-1)"
        r"} &=& \frac{\partial }{\partial a_{2}^{(L-1)}} \left( w_{j0}^{(L)}a_{0}^{(L-1)}"
        r" +w_{j1}^{(L)}a_{1}^{(L-1)} +w_{j2}^{(L)}a_{2}^{(L-1)} +\cdots +w_{j5}^{(L)}a_{5}^{(L-1)}"
        r" \right) \\ &=& \frac{\partial}{\partial a_{2}^{(L-1)}}w_{j0}^{(L)}a_{0}^{(L-1)}"
        r" +\frac{\partial}{\partial a_{2}^{(L-1)}}w_{j1}^{(L)}a_{1}^{(L-1)} +\frac{\partial}{\partial"
        r" a_{2}^{(L-1)}}w_{j2}^{(L)}a_{2}^{(L-1)} +\cdots +\frac{\partial}{\partial"
        r" a_{2}^{(L-1)}}w_{j5}^{(L)}a_{5}^{(L-1)} \\ &=& 0 +0 +\frac{\partial}{\partial"
        r" a_{2}^{(L-1)}}w_{j2}^{(L)}a_{2}^{(L-1)} +\cdots 0 \\ &=& \frac{\partial}{\partial"
        r" a_{2}^{(L-1)}}w_{j2}^{(L)}a_{2}^{(L-1)} \\ &=& w_{j2}^{(L)} \end{eqnarray*}$"
    ),
    595: (
        r"$\begin{eqnarray*} \frac{\partial C_{0}}{\partial a_{2}^{(L-1)}} &=& \sum_{j=0}^{n-1}\left("
        r" \left( \frac{\partial C_{0}}{\partial a_{j}^{(L)}}\right) \left( \frac{\partial"
        r" a_{j}^{(L)}}{\partial z_{j}^{(L)}}\right) \left( \frac{\partial z_{j}^{(L)}}{\partial"
        r" a_{2}^{(L-1)}}\right) \right) \\ &=& \sum_{j=0}^{n-1}\left( 2\left( a_{j}^{\left("
        r" L\right) }-y_{j}\right) \left( g^{\prime \left( L\right) }\left( z_{j}^{\left("
        r" L\right) }\right)\right) \left( w_{j2}^{(L)}\right) \right) \end{eqnarray*}$"
    ),
    623: (
        r"$\frac{\partial C}{\partial a_{2}^{(L-1)}}=\frac{1}{n}\sum_{i=0}^{n-1}\frac{"
        r" \partial C_{i}}{\partial a_{2}^{(L-1)}}\text{.}$"
    ),
}

SEED_CLAIMS += [(SEED_001, n, "deeplizard", None, SEED_DISPLAYS[n]) for n in (369, 397, 595, 623)]

SEED_CLAIMS += [(SEED_001, n, "deeplizard", None, SEED_DISPLAYS[n]) for n in (353, 389, 577)]


def seed_with(line: int, *changes: str) -> str:
    """A display of the second source text with a mistake made in it: (old, new) pairs, each found once."""
    text = SEED_DISPLAYS[line]
    for old, new in zip(changes[::2], changes[1::2], strict=True):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


LAST_353 = r"&=&2 \left( a_{1}^{\left( L\right) }-y_{1}\right)"
D_W12 = r"\frac{\partial}{\partial w_{12}^{(L)}}"
D_A1 = r"\frac{\partial}{\partial a_1^{(L)}}"
DZ1 = r"\frac{\partial z_1^{(L)}}{\partial w_{12}^{(L)}}"
SQUARES = r"(a_0^{(L)} - y_0)^2 + (a_1^{(L)} - y_1)^2 + \cdots + (a_3^{(L)} - y_3)^2"
PATH = r"2(a_{0}^{(L)} - y_{0}) g'^{(L)}(z_{0}^{(L)}) w_{02}^{(L)}"
CLAIMS += [
    # the seed's displays with the usual mistakes made in them
    (
        "deep",
        None,
        seed_with(353, LAST_353, r"&=& \left( a_{1}^{\left( L\right) }-y_{1}\right)"),
        "incorrect",
        "factor_2_dropped",
    ),
    ("deep", None, seed_with(353, LAST_353, r"&=&2 \left( y_{1}-a_{1}^{\left( L\right) }\right)"), "incorrect", "sign"),
    (
        "deep",
        None,
        seed_with(369, r"&=& g^{^{\prime }\left( L\right) }", r"&=& g^{\left( L\right) }"),
        "incorrect",
        None,
    ),
    ("deep", None, seed_with(389, r"&=& a_{2}^{(L-1)}", r"&=& a_{2}^{(L)}"), "incorrect", "wrong_layer"),
    (
        "deep",
        None,
        seed_with(397, r"\left( a_{2}^{(L-1)}\right)", r"\left( a_{2}^{(L)}\right)"),
        "incorrect",
        "wrong_layer",
    ),
    (
        "deep",
        None,
        seed_with(397, r"\left( g^{\prime \left(L\right) }\left( z_{1}^{\left( L\right) }\right) \right)", ""),
        "incorrect",
        "activation_derivative_missing",
    ),
    ("deep", None, seed_with(577, r"&=& w_{j2}^{(L)}", r"&=& w_{2j}^{(L)}"), "incorrect", "indices_swapped"),
    (
        "deep",
        None,
        seed_with(595, r"\left( w_{j2}^{(L)}\right)", r"\left( w_{2j}^{(L)}\right)"),
        "incorrect",
        "sum_wrong_index",
    ),
    # a chain led by the operator: the derivative of what it applies to, a quantity's definition or not
    ("deep", None, D_A1 + r"\left((a_1^{(L)} - y_1)^2\right) = 2(a_1^{(L)} - y_1)", "correct", None),
    ("deep", None, D_A1 + r"\left((a_1^{(L)} - y_1)^2\right) = (a_1^{(L)} - y_1)", "incorrect", "factor_2_dropped"),
    ("deep", None, r"\frac{d}{dz_1^{(L)}} g^{(L)}(z_1^{(L)}) = g'^{(L)}(z_1^{(L)})", "correct", None),
    ("deep", None, r"\frac{d}{dz_1^{(L)}} g^{(L)}(z_1^{(L)}) = g^{(L)}(z_1^{(L)})", "incorrect", None),
    # the operator over each term of a sum: it applies to the product after it, up to the next + or -
    (
        "deep",
        None,
        DZ1 + " = " + D_W12 + r" w_{10}^{(L)}a_{0}^{(L-1)} + \cdots + " + D_W12 + r" w_{15}^{(L)}a_{5}^{(L-1)}",
        "correct",
        None,
    ),
    (
        "deep",
        None,
        DZ1 + " = " + D_W12 + r" w_{12}^{(L)} a_{2}^{(L-1)} + w_{11}^{(L)} a_{1}^{(L-1)}",
        "incorrect",
        None,
    ),
    ("deep", None, DZ1 + " = " + D_W12 + r"\left(w_{12}^{(L)}\right) a_{2}^{(L-1)}", "correct", None),
    # \cdots, \ldots, \dots and ... stand for the terms between, their indices stepping by one
    (
        "deep",
        None,
        r"\frac{\partial C_0}{\partial a_1^{(L)}} = " + D_A1 + r"\left(" + SQUARES + r"\right)",
        "correct",
        None,
    ),
    (
        "deep",
        None,
        r"\frac{\partial C_0}{\partial a_1^{(L)}} = "
        + D_A1
        + r"\left("
        + SQUARES.replace(r"\cdots", "...")
        + r"\right)",
        "correct",
        None,
    ),
    (
        "deep",
        None,
        r"\frac{\partial C_0}{\partial a_2^{(L-1)}} = " + PATH + r" + \ldots + " + PATH.replace("0", "3"),
        "correct",
        None,
    ),
    (
        "deep",
        None,
        r"\frac{\partial C_0}{\partial a_2^{(L-1)}} = " + PATH + r" + \dots + " + PATH.replace("0", "2"),
        "incorrect",
        None,
    ),  # stops at neuron 2: the term for neuron 3 is missing
    (
        "deep",
        None,
        r"\frac{\partial C_0}{\partial a_2^{(L-1)}} = "
        + PATH.replace("w_{02}", "w_{20}")
        + r" + \cdots + "
        + PATH.replace("0", "3").replace("w_{32}", "w_{23}"),
        "incorrect",
        "sum_wrong_index",
    ),
    # a weight the network does not have, whose indices swapped name one it has: the indices are swapped
    (
        "deep",
        "a_4^{(L-1)}",
        r"\sum_{j} 2(a_j^{(L)} - y_j) g'^{(L)}(z_j^{(L)}) w_{4j}^{(L)}",
        "incorrect",
        "indices_swapped",
    ),
    (
        "deep",
        "a_4^{(L-1)}",
        r"\sum_{j} (a_j^{(L)} - y_j) g'^{(L)}(z_j^{(L)}) w_{4j}^{(L)}",
        "incorrect",
        "indices_swapped+factor_2_dropped",
    ),
    ("deep", None, r"\frac{\partial z_j^{(L)}}{\partial a_4^{(L-1)}} = w_{4j}^{(L)}", "incorrect", "indices_swapped"),
    ("deep", None, r"\frac{\partial z_j^{(L)}}{\partial a_4^{(L-1)}} = w_{j4}^{(L)}", "correct", None),
]

# C alone over one sample's formula: the cost of that sample, as the first source text writes it
DC = r"\frac{\partial C}{\partial "
CLAIMS += [
    ("one", None, DC + r"w^{(L)}} = 2(a^{(L)} - y)\sigma'(z^{(L)}) a^{(L-1)}", "correct", None),
    ("one", None, DC + r"w^{(L)}} = 2(a^{(L)} - y) a^{(L-1)}", "incorrect", "activation_derivative_missing"),
    ("one", None, DC + r"w^(L)} = a^(L-1) \sigma'(z^(L)) (a^(L) - y)", "incorrect", "factor_2_dropped"),
    (
        "one",
        None,
        DC
        + r"w^{(L)}} = \frac{\partial z^{(L)}}{\partial w^{(L)}}\frac{\partial a^{(L)}}{\partial z^{(L)}}"
        + DC
        + r"a^{(L)}}",
        "correct",
        None,
    ),
    ("one", None, DC + r"b^{(L)}} = \sigma'(z^{(L)}) 2(a^{(L)} - y)", "correct", None),
    ("one", "w^{(L)}", DC + r"a^{(L)}} \sigma'(z^{(L)}) a^{(L-1)}", "correct", None),
    ("nielsen", None, DC + r"b_1^{2}} = \delta_1^{2}", "correct", None),
    # the operator applied to a quantity itself: its derivative
    ("one", None, r"\frac{d}{d z^{(L)}} a^{(L)} = \sigma'(z^{(L)})", "correct", None),
    ("one", None, r"\frac{\partial}{\partial w^{(L)}} C = a^{(L-1)} \sigma'(z^{(L)}) 2(a^{(L)} - y)", "correct", None),
    (
        "one",
        None,
        r"\frac{\partial}{\partial w^{(L)}} C = a^{(L-1)} 2(a^{(L)} - y)",
        "incorrect",
        "activation_derivative_missing",
    ),
    ("nielsen", None, DC + r"w_{12}^{2}} = a_1^{1} \delta_2^{2}", "incorrect", "indices_swapped"),
]

UNPARSEABLE = [
    # network, claim, a word the reason must contain, the 1-based position it must point at
    ("deep", r"2(a_1^{(L)} - y_1", "this '(' is never closed", 2),
    ("deep", r"2\left(a_1^{(L)} - y_1", "this '\\left(' is never closed", 2),
    ("deep", r"2(a_1^{(L)} - y_1]", "does not close the '(' opened at line 1, column 2", 18),
    ("deep", r"2 a_1^{(L)} - y_1)", "closes nothing", 18),
    ("deep", r"\frac{2}{a_1^{(L)}", "this '{' is never closed", 9),
    ("deep", r"2(a_7^{(L)} - y_1)", "neurons 0 to 3", 3),
    ("deep", r"\foo(z_1^{(L)})", "unknown command", 1),
    ("deep", r"q_1^{(L)}", "means nothing", 1),
    ("deep", r"2 a_1 a_2^{(L-1)}", "needs its layer", 3),
    ("deep", r"2 g'^{(L)}(z_1^{(L)}) \cdot", "ends too early", None),
    ("deep", r"\sum_{j} 2", "indexed by j", 1),
    ("deep", r"g''^{(L)}(z_1^{(L)})", "second derivatives", 1),
    ("deep", r"\frac{\partial C_0}{w_{12}^{(L)}}", "derivative needs", None),
    ("deep", "   ", "empty", None),
    ("deep", r"a_1^{(L)} $", "unexpected character", 11),
    ("one", r"b_1^{(L)}", "out of range", None),
    ("deep", r"b^{(L)}", "no biases", 1),
    ("deep", r"\sigma'", "needs an argument", 1),
    # hostile numbers: said where, at once
    ("deep", r"(a_1^{(L)} - y_1)^{99999999}", "exponent 99999999 is too large", 20),
    ("deep", r"10^{10^{10}}", "exponent 10^{10} is too large", 5),
    ("deep", r"2^{2^{2^{2^{2^{2}}}}}", "exponent 2^{2^{2^{2}}} is too large", 7),
    ("deep", r"10^{10^{6}}", "exponent 10^{6} is too large", 5),
    ("deep", "e^{" * 10 + "1" + "}" * 10, "is too large", 22),
    ("deep", r"(10^{99})^{99}", "more than 100 digits", 1),
    ("deep", r"\exp(\exp(\exp(10)))", "more than 100 digits", 6),
    ("deep", "9" * 150, "too long", 1),
    ("deep", r"(a_1^{(L)} - y_1)^{100} (a_1^{(L)} - y_1)^{100}", "a power above 100", 1),
    ("deep", r"2 \ln(0)", "undefined", 3),
    # a reference in the claim is named as written, with its place
    ("deep", r"\frac{\partial C_0}{\partial w_{92}^{(L)}} = 1", "'w_{92}^{(L)}': index 9 is out of range", 30),
    # the operator form needs what it differentiates
    ("deep", r"\frac{\partial }{\partial a_{1}^{(L)}}", "needs what it differentiates", 7),
    ("deep", r"y^{(L-1)}", "output layer", 1),
    # \cdots whose terms left out cannot be inferred
    ("deep", r"a_0^{(L)} + \cdots", "write both", 13),
    ("deep", r"\cdots + a_3^{(L)}", "write both", 1),
    ("deep", r"a_0^{(L)} + \cdots + y_3", "differ in more than their neuron indices", 13),
    (
        "deep",
        r"w_{10}^{(L)}a_{0}^{(L-1)} + \cdots + w_{15}^{(L)}a_{4}^{(L-1)}",
        "do not move together (by 4 and by 5)",
        29,
    ),
    ("deep", r"a_0^{(L)} + a_2^{(L)} + \cdots + a_3^{(L)}", "step by 2, not by 1", 25),
    ("deep", r"a_1^{(L)} + \cdots + a_1^{(L)}", "the same term", 13),
    ("deep", r"a_1^{(L)} \cdots a_2^{(L)}", "stands for terms left out of a sum", 11),
    # a sign before the dots other than the pattern's: never dropped, said at the dots
    ("deep", r"a_0^{(L)} + a_1^{(L)} - \cdots + a_3^{(L)}", "the sign before \\cdots is -", 25),
    ("deep", r"-a_0^{(L)} + \cdots - a_3^{(L)}", "write - \\cdots -", 14),
    # the term before those around the dots, of their shape but with other indices moving: said at that term
    (
        "deep",
        r"w_{10}^{(L)}a_{1}^{(L-1)} + w_{11}^{(L)}a_{1}^{(L-1)} + \cdots + w_{15}^{(L)}a_{5}^{(L-1)}",
        "'w_{10}^{(L)}a_{1}^{(L-1)}' does not fit the pattern",
        1,
    ),
    (
        "deep",
        r"a_3^{(L)} + w_{11}^{(L)}a_{0}^{(L-1)} + w_{11}^{(L)}a_{1}^{(L-1)} + \cdots + w_{15}^{(L)}a_{5}^{(L-1)}",
        "other indices move",
        13,
    ),
    # a weight the network lacks, no swap of which exists: named with its place
    ("deep", r"\sum_{j} 2(a_j^{(L)} - y_j) g'^{(L)}(z_j^{(L)}) w_{7j}^{(L)}", "index 7 is out of range", 49),
]
