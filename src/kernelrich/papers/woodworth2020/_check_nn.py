"""The kernel regime in the neural-network experiment (`_nn`): at large alpha, gradient descent
on the unbiased network tracks gradient descent on its linearisation (Woodworth et al. 2020,
§2, after Chizat and Bach: the dynamics approach those of the linearised model as alpha ->
infinity). The linearised run is the closed form of `_network.linear_gd` from the tangent
kernel, no network code involved."""

from __future__ import annotations

import numpy as np

from ...experiments import Check, CheckResult, Counterexample, nan_at, setting, worst
from ...ntk import train_gd
from . import _network, _nn
from ._evidence import KEY, non_finite, relative

ALPHA, INSIDE, TOL = 100.0, 0.1, 1e-3


def measure():
    s = _nn._sizes(True)
    width, steps = s["widths"][0], s["steps"]
    X, y, Xt, _ = _network.digits(s["seed"][0], s["n_train"])
    g0 = _network.init(s["seed"][0], width, X.shape[1])
    K, Kt = _network.tangent_kernel(g0, X, X), _network.tangent_kernel(g0, Xt, X)
    h = len(y) / np.linalg.eigvalsh(K)[-1]
    runs = {}
    for alpha in (ALPHA, INSIDE):
        lr = h / max(1.0, alpha) ** 2
        runs[alpha] = train_gd(_network.model(g0, alpha), X, y, lr=lr, steps=steps,
                               record=[steps // 2, steps], X_eval=Xt)
    return {"width": width, "n_train": s["n_train"], "steps": steps,
            "network": runs[ALPHA].predictions[-1], "loss": runs[ALPHA].loss,
            "linear": _network.linear_gd(K, Kt, y, h, steps),
            "network_half_way": runs[ALPHA].predictions[0],
            "network_inside": runs[INSIDE].predictions[-1]}


def judge(e) -> CheckResult:
    instance = (f"unbiased 2-layer ReLU net, width {e['width']}, digits n={e['n_train']}, "
                f"alpha={ALPHA:g}, {e['steps']} GD steps")
    quantity = ("rel. distance of the network's test predictions to GD on its linearisation "
                "after the same steps (closed form from the tangent kernel)")
    failed = non_finite(network=e["network"], linear=e["linear"], loss=e["loss"])
    if failed:
        return CheckResult.compare("Woodworth kernel regime", instance, quantity, float("nan"),
                                   TOL, paper=KEY, failed_runs=failed)
    error, bad = worst({"distance": relative(e["network"], e["linear"])})
    return CheckResult.compare("Woodworth kernel regime", instance, quantity, error, TOL,
                               detail=f"train loss {e['loss'][-1]:.2e} at the end", paper=KEY,
                               failed_runs=bad)


COUNTEREXAMPLES = (
    Counterexample(f"the network at alpha = {INSIDE:g} (rich side) in place",
                   setting("network", lambda e: e["network_inside"])),
    Counterexample("the network stopped at half the steps",
                   setting("network", lambda e: e["network_half_way"])),
    Counterexample("a diverged GD run (NaN)", nan_at("network")),
)


def checks() -> list[Check]:
    return [Check("Woodworth kernel regime", "neural network, digits", measure, judge,
                  COUNTEREXAMPLES, paper=KEY)]
