"""Gunasekar et al. (2017): gradient descent (small step, a stand-in for their gradient flow) on
a full-dimensional factorisation X = U U^T of an underdetermined matrix sensing problem, started
from U(0) = alpha U0. The paper conjectures that as alpha -> 0 the limit is the minimum nuclear
norm solution; the script prints the nuclear-norm gap and the error to the truth per alpha.

Run: `python examples/gunasekar2017.py [--quick] [--out DIR]`
(writes DIR/gunasekar2017.png).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import kernelrich  # noqa: F401  (float64 in JAX)
from kernelrich.matrix import (
    gaussian_sensing,
    gradient_descent,
    low_rank_truth,
    min_nuclear_norm,
    nuclear_norm,
    relative_error,
    symmetric_factor,
)
from kernelrich.plotting import paper_style


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 8 and 5 alphas")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    n, alphas = (8, np.logspace(-3, 0.5, 5)) if args.quick else (20, np.logspace(-4, 0.5, 10))
    steps = 100_000 if args.quick else 1_000_000
    truth = low_rank_truth(0, n, 2, psd=True)  # rank-2 PSD ground truth
    problem = gaussian_sensing(0, truth, m=3 * n, symmetric=True)  # m < n (n + 1) / 2
    nuclear = min_nuclear_norm(problem, psd=True)  # the convex baseline (cvxpy)

    gaps, errors = [], []
    for alpha in alphas:
        model = symmetric_factor(0, n, n, alpha)  # U is n x n: no rank constraint
        # gradient descent on the mean loss, step 0.5, until the loss is below 1e-11
        run = gradient_descent(problem, model, step=0.5, steps=steps, stop_loss=1e-11,
                               chunk=5000)
        X = run.matrix
        gaps.append(nuclear_norm(X) / nuclear.nuclear_norm - 1)
        errors.append(relative_error(X, truth))
        print(f"alpha = {alpha:8.2g}: ||X||_* / min ||X||_* - 1 = {gaps[-1]:.2e}, "
              f"||X - X*|| / ||X*|| = {errors[-1]:.2e}, final loss {run.losses[-1]:.1e}")

    with paper_style():
        fig, ax = plt.subplots(figsize=(4.3, 3.1))
    ax.loglog(alphas, np.maximum(gaps, 1e-16), "o-", label=r"$\|X_\alpha\|_* / \min\|X\|_* - 1$")
    ax.loglog(alphas, errors, "s-", label=r"$\|X_\alpha - X^*\|_F / \|X^*\|_F$")
    ax.set(xlabel=r"initialisation scale $\alpha$",
           title=f"n = {n}, rank 2, m = {3 * n} measurements; GD, step 0.5")
    ax.legend(fontsize=7)
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / "gunasekar2017.png"
    fig.savefig(out, dpi=150, bbox_inches="tight")
    print(f"wrote {out}")
    return out


if __name__ == "__main__":
    main()
