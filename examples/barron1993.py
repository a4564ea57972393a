"""Barron (1993): the greedy n-unit sigmoidal network against Theorem 1's bound (2C)^2 / n and
its own step guarantee, and a fixed (Legendre) basis against the hardest targets of the class.

Top row: a Gaussian bump on the unit ball, the greedy error e_n, the greedy's bound
1 / (1/e_0 + n / ((2C)^2 - e_0)) and Theorem 1's (2C)^2 / n (an existence bound that only bites
for n > (2C)^2 / e_0). Bottom row: on the cube [-1, 1]^d, the worst error of the first n + 1
Legendre polynomials over Barron's family of cosine ridges with C_f = C, the width bound that
no linear space of that dimension can beat, and the greedy on the hardest of those targets.

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
    fourier_ridges,
    greedy_approximation,
    greedy_bound,
    lattice_frequencies,
    projection_errors,
    uniform_ball,
    uniform_cube,
    width_lower_bound,
)
from kernelrich.plotting import paper_style


def theorem_1(ax, d: int, N: int, n: int, search: dict) -> None:
    f = GaussianBump(np.zeros(d), scale=0.5)  # C_f known in closed form
    X = uniform_ball(N, d, seed=0)  # mu: N points uniform on the unit ball
    C = barron_constant_ball(f, 1.0)
    res = greedy_approximation(f, X, n, radius=1.0, **search)
    k = np.arange(1, n + 1)
    ax.loglog(k, res.errors, "o-", label="greedy $e_n$")
    ax.loglog(k, greedy_bound(k, res.initial_error, C), "-.", label="greedy's bound")
    ax.loglog(k, (2 * C) ** 2 / k, "k--", label=r"Theorem 1: $(2C)^2/n$")
    ax.set_title(f"bump, d = {d}: (2C)^2/e_0 = {(2 * C) ** 2 / res.initial_error:.0f}",
                 fontsize=8)
    print(f"d = {d:2d}: C = {C:.3f}, e_{n} = {res.errors[-1]:.3g}, greedy bound "
          f"{greedy_bound(n, res.initial_error, C):.3g}, (2C)^2/n = {(2 * C) ** 2 / n:.3g}")


def fixed_basis(ax, d: int, N: int, n: int, search: dict) -> None:
    X = uniform_cube(N, d, seed=0)
    M = 1
    while 2 * len(lattice_frequencies(d, M)) < 4 * (n + 1):  # enough targets for the bound
        M += 1
    family = fourier_ridges(lattice_frequencies(d, M), 1.0)  # each has C_f = 1
    values = np.stack([f(X) for f in family], axis=1)
    k = np.arange(1, n + 1)
    errors, _ = projection_errors(values, X, k, radius=1.0)
    hardest = family[int(np.argmax(errors[-1]))]
    C_B = abs(hardest.amplitude) * np.abs(hardest.direction).sum()  # C_(f,B) on the cube
    res = greedy_approximation(hardest, X, n, C=C_B, radius=np.sqrt(d), **search)
    ax.loglog(k, errors.max(axis=1), "s-", label="Legendre: worst over the family")
    ax.loglog(k, width_lower_bound(values, k + 1), "--", label="any linear space: bound")
    ax.loglog(k, res.errors, "o-", label="greedy on the hardest target")
    ax.set_title(f"cube, d = {d}: {len(family)} targets with C_f = 1", fontsize=8)
    print(f"d = {d:2d}: Legendre worst e_{n} = {errors.max(axis=1)[-1]:.3g}, greedy on the "
          f"hardest target {res.errors[-1]:.3g}")


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points, units, restarts")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    N, n, restarts, steps = (1024, 16, 16, 100) if args.quick else (10000, 64, 32, 200)
    dims = [1, 5] if args.quick else [1, 2, 5, 10]
    search = dict(restarts=restarts, steps=steps)
    with paper_style():
        fig, axes = plt.subplots(2, len(dims), figsize=(3.6 * len(dims), 6.0),
                                 layout="constrained")
    for j, d in enumerate(dims):
        theorem_1(axes[0, j], d, N, n, search)
        fixed_basis(axes[1, j], d, N, n, search)
        axes[1, j].set(xlabel="n (units, or basis functions beside the constant)")
    for row in axes:
        row[0].set(ylabel=r"$\|f - f_n\|^2_{L^2(\mu)}$")
        row[0].legend(fontsize=7)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "barron1993.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
