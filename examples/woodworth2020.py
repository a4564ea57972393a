"""Woodworth et al. (2020), Figure 1: the scale of initialisation alpha moves the gradient-flow
limit of a diagonal linear network from the min-l1 (rich) to the min-l2 (kernel) interpolator.

Run: `python examples/woodworth2020.py [--quick] [--out DIR]` (writes DIR/woodworth2020.png).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import kernelrich  # noqa: F401  (float64 in JAX)
from kernelrich import bias
from kernelrich.datasets import sparse_regression
from kernelrich.diagonal import flow_limit
from kernelrich.plotting import paper_style


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="d = 200 instead of 1000")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    d, sizes = (200, [20, 50, 100]) if args.quick else (1000, [25, 50, 100, 200, 500])
    alphas = np.logspace(-5, 1, 25)

    with paper_style():
        fig, ax = plt.subplots(figsize=(4.3, 3.1))
    for N in sizes:
        X, y, beta_star = sparse_regression(d=d, N=N, r=5, noise_std=0.1, seed=0)
        betas = flow_limit(X, y, alphas)  # exact limits of gradient flow, one row per alpha
        error = np.sum((betas - beta_star) ** 2, axis=1) + 0.01  # population error
        (line,) = ax.plot(alphas, error, label=f"N = {N}")
        for ref, style in ((bias.min_l1(X, y), "--"), (bias.min_l2(X, y), ":")):
            ax.axhline(np.sum((ref - beta_star) ** 2) + 0.01, color=line.get_color(), ls=style)
        print(f"N = {N:4d}: error {error[0]:.3g} at alpha = 1e-5, {error[-1]:.3g} at alpha = 10")
    ax.set(xscale="log", yscale="log", xlabel=r"initialisation scale $\alpha$",
           ylabel="population error", title=f"d = {d}, r* = 5 (dashed: min-l1, dotted: min-l2)")
    ax.legend()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "woodworth2020.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
