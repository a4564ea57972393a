"""Jacot et al. (2018), Figure 1: the empirical neural tangent kernel of ReLU networks of two
widths, at initialisation and after 200 gradient steps, against its infinite-width limit.

Run: `python examples/jacot2018.py [--quick] [--out DIR]` (writes DIR/jacot2018.png and prints
each width's spread over initialisations and relative movement in training).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import kernelrich  # noqa: F401  (float64 in JAX)
from kernelrich.ntk import MLP, apply_mlp, empirical_ntk, infinite_ntk, train_online
from kernelrich.plotting import paper_style


def batch(key):
    """A fresh batch of the task f*(x) = x1 x2, x ~ N(0, I_2), at every step."""
    X = jax.random.normal(key, (100, 2), dtype=jnp.float64)
    return X, X[:, 0] * X[:, 1]


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="widths 100, 500; 2 seeds")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    widths, seeds = ([100, 500], 2) if args.quick else ([500, 10000], 10)
    depth, beta, steps = 4, 0.1, 200

    g = np.linspace(-np.pi, np.pi, 61)
    x0, circle = np.array([[1.0, 0.0]]), np.stack([np.cos(g), np.sin(g)], axis=1)

    with paper_style():
        fig, ax = plt.subplots(figsize=(5.0, 3.2))
    for color, width in zip(("tab:blue", "tab:orange"), widths, strict=True):
        init, moved = [], []
        for seed in range(seeds):
            net = MLP((2,) + (width,) * (depth - 1) + (1,), key=jax.random.key(seed), beta=beta)
            start, trained = train_online(net, batch, key=jax.random.key(100 + seed), lr=1.0,
                                          steps=steps)
            curves = [empirical_ntk(apply_mlp, m, x0, circle, outputs="mean")[0]
                      for m in (start, trained)]
            for theta, style in zip(curves, ("-", "--"), strict=True):
                label = f"n = {width}, " + ("t = 0" if style == "-" else f"t = {steps}")
                ax.plot(g, theta, color=color, ls=style, lw=0.7, label=label if seed == 0 else None)
            init.append(curves[0])
            moved.append(np.linalg.norm(curves[1] - curves[0]) / np.linalg.norm(curves[0]))
        print(f"n = {width}: spread over inits {np.mean(np.std(init, axis=0)):.3g}, "
              f"relative change in training {np.mean(moved):.3g}")
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
