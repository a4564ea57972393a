"""Chizat, Oyallon & Bach (2019), Theorem 2.2: for a centred model (h(w0) = 0), the gradient
flow of F_alpha(w) = R(alpha h(w)) / alpha^2 stays within O(1/alpha) of w0 and within
O(1/alpha^2) of the flow of the linearised model, over a fixed horizon.

Run: `python examples/chizat2019.py [--quick] [--out DIR]` (writes DIR/chizat2019.png).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jax
import matplotlib.pyplot as plt
import numpy as np

import kernelrich  # noqa: F401  (float64 in JAX)
from kernelrich import lazy
from kernelrich.plotting import paper_style

LABELS = {"dist_init": r"$\sup_t\|w_\alpha - w_0\|$",
          "dist_linear": r"$\sup_t\|w_\alpha - \bar w_\alpha\|$",
          "dist_output": r"$\sup_t\|\alpha h(w_\alpha) - \alpha \bar h(\bar w_\alpha)\|_F$"}


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 10, m = 20, 7 alphas up to 100")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    n, d, m = (10, 5, 20) if args.quick else (40, 5, 100)
    alphas = np.logspace(0.5, 2, 7) if args.quick else np.logspace(0.5, 2, 11)
    horizon = 5.0

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)  # n points on the unit sphere of R^d
    y = np.sin(3.0 * X[:, 0])
    # h(w)(x) = sum_j b_j tanh(a_j . x) (smooth: Dh is locally Lipschitz, as the theorem
    # assumes), centred by the symmetrised init: units m/2 + j copy units j with output weight
    # -b_j, so h(w0) = 0 (the same as lazy.antisymmetric on m/2 units).
    apply = lazy.smooth_two_layer
    w0 = lazy.two_layer_init(jax.random.key(0), m, d, symmetrised=True)

    # The gradient flows themselves (not gradient descent): both ODEs integrated together by
    # diffrax (Tsit5, adaptive steps), for all alphas in one vmapped program. Tight
    # tolerances: the output distance carries alpha times the solver's error in w.
    times = np.linspace(0.0, horizon, 26)
    path = lazy.lazy_flow(apply, w0, X, y, alphas, times, rtol=1e-12, atol=1e-15,
                          theorem="Theorem 2.2")
    print(f"gradient flows on [0, {horizon:g}], {path.method}: all solved: {path.ok.all()}")
    slopes = {}
    for name in LABELS:
        sup = path.sup(name)
        slopes[name] = np.polyfit(np.log(alphas), np.log(sup), 1)[0]
        print(f"sup_t {name:11s}: {sup[0]:.2e} (alpha = {alphas[0]:.3g}) -> {sup[-1]:.2e} "
              f"(alpha = {alphas[-1]:.3g}); log-log slope {slopes[name]:+.3f}")
    print("Theorem 2.2: slopes -1 (distance to w0) and -2 (distance to the linearised flow)")

    with paper_style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.0))
    for name, label in LABELS.items():
        left.loglog(alphas, path.sup(name), "o-", ms=3,
                    label=f"{label}: slope {slopes[name]:.2f}")
    left.set(xlabel=r"scale $\alpha$", title=f"sup over t in [0, {horizon:g}]")
    left.legend(fontsize=6)
    for i in range(len(alphas)):
        right.plot(times, alphas[i] ** 2 * path.dist_linear[i], color=plt.cm.viridis(
            i / max(len(alphas) - 1, 1)), label=rf"$\alpha$ = {alphas[i]:.3g}")
    right.set(xlabel="flow time t", ylabel=r"$\alpha^2\|w_\alpha(t) - \bar w_\alpha(t)\|$",
              title=r"rescaled by $\alpha^2$, the curves collapse")
    right.legend(fontsize=6, ncol=2)
    fig.suptitle(f"centred tanh network, m = {m} units, n = {n}; gradient flows (diffrax)",
                 fontsize=9)
    fig.tight_layout()
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / "chizat2019.png"
    fig.savefig(out, dpi=150, bbox_inches="tight")
    print(f"wrote {out}")
    return out


if __name__ == "__main__":
    main()
