"""Jacot et al. (2018), Figure 1: the empirical neural tangent kernel of a ReLU network
converges to its infinite-width limit as the width grows, and barely moves during training.

Run: `python examples/jacot2018.py [--quick] [--out DIR]` (writes DIR/jacot2018.png).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jax
import matplotlib.pyplot as plt
import numpy as np

import kernelrich  # noqa: F401  (float64 in JAX)
from kernelrich.ntk import MLP, apply_mlp, empirical_ntk, infinite_ntk, train_gd
from kernelrich.plotting import paper_style


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="widths 100, 500; 2 seeds")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    widths, seeds = ([100, 500], 2) if args.quick else ([500, 10000], 10)
    depth, beta, steps = 4, 0.1, 200

    g = np.linspace(-np.pi, np.pi, 61)
    x0, circle = np.array([[1.0, 0.0]]), np.stack([np.cos(g), np.sin(g)], axis=1)
    X = np.random.default_rng(0).standard_normal((10, 2))  # the task f*(x) = x1 x2
    y = X[:, 0] * X[:, 1]

    with paper_style():
        fig, ax = plt.subplots(figsize=(5.0, 3.2))
    for color, width in zip(("tab:blue", "tab:orange"), widths, strict=True):
        for seed in range(seeds):
            net = MLP((2,) + (width,) * (depth - 1) + (1,), key=jax.random.key(seed), beta=beta)
            trained = train_gd(net, X, y, lr=1.0, steps=steps).model
            for model, style in ((net, "-"), (trained, "--")):
                theta = empirical_ntk(apply_mlp, model, x0, circle, outputs="mean")[0]
                label = f"n = {width}, " + ("t = 0" if style == "-" else f"t = {steps}")
                ax.plot(g, theta, color=color, ls=style, lw=0.7, label=label if seed == 0 else None)
    limit = infinite_ntk(x0, circle, depth=depth, bias_std=beta)[0]
    ax.plot(g, limit, color="black", lw=1.5, label=r"$n \to \infty$")
    ax.set(xlabel=r"$\gamma$, $x = (\cos\gamma, \sin\gamma)$", ylabel=r"$\Theta(x_0, x)$")
    ax.legend(fontsize=7)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "jacot2018.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
