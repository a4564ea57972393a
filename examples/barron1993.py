"""Barron (1993), Theorem 1: the greedy n-unit sigmoidal network approximates a target with
Barron constant C to squared L2(mu) error at most (2C)^2 / n in every dimension, while a fixed
(Legendre polynomial) basis of the same size degrades as the dimension grows.

Run: `python examples/barron1993.py [--quick] [--out DIR]` (writes DIR/barron1993.png).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import kernelrich  # noqa: F401  (float64 in JAX)
from kernelrich.barron import (
    GaussianBump,
    barron_constant_ball,
    fixed_basis_approximation,
    greedy_approximation,
    uniform_ball,
)
from kernelrich.plotting import paper_style


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points, units, restarts")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    N, n, restarts, steps = (1024, 12, 16, 100) if args.quick else (10000, 64, 32, 200)
    dims = [1, 5] if args.quick else [1, 2, 5, 10, 20]

    with paper_style():
        fig, axes = plt.subplots(1, len(dims), figsize=(3.4 * len(dims), 3.0), sharey=True)
    for ax, d in zip(np.atleast_1d(axes), dims, strict=True):
        f = GaussianBump(np.zeros(d), scale=0.5)  # C_f known in closed form
        X = uniform_ball(N, d, seed=0)  # mu: N points uniform on the unit ball
        C = barron_constant_ball(f, 1.0)
        greedy = greedy_approximation(f, X, n, radius=1.0, restarts=restarts, steps=steps)
        basis = fixed_basis_approximation(f, X, np.arange(1, n + 1), radius=1.0)
        k = np.arange(1, n + 1)
        ax.loglog(k, (2 * C) ** 2 / k, "k--", label=r"bound $(2C)^2/n$")
        ax.loglog(k, greedy.errors, "o-", label="greedy sigmoidal")
        ax.loglog(k, basis.errors, "s-", label="Legendre basis")
        ax.set(title=f"d = {d}, C = {C:.2f}", xlabel="n (units / basis functions)")
        ratio = np.max(greedy.errors / ((2 * C) ** 2 / k))
        print(f"d = {d:2d}: C = {C:.3f}, e_{n} = {greedy.errors[-1]:.3g}, max e_n / bound = "
              f"{ratio:.3g}, Legendre e_{n} = {basis.errors[-1]:.3g}")
    np.atleast_1d(axes)[0].set(ylabel=r"$\|f - f_n\|^2_{L^2(\mu)}$")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "barron1993.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
