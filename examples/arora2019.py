"""Arora, Cohen, Hu & Luo (2019): gradient descent from a small initialisation on a deep
factorisation W = W_N ... W_1 of a matrix completion problem; the paper reports lower
effective rank, and with few observations a lower reconstruction error, as the depth N grows.
The script prints both for depths 1, 2, 3 and the minimum nuclear norm solution.

Run: `python examples/arora2019.py [--quick] [--out DIR]` (writes DIR/arora2019.png).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import kernelrich  # noqa: F401  (float64 in JAX)
from kernelrich import matrix as km
from kernelrich.plotting import paper_style


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 20, 100 observed entries")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    n, m = (20, 100) if args.quick else (30, 180)
    rank, scale, step, max_steps = 2, 1e-3, 0.5, 100_000
    truth = km.low_rank_truth(0, n, rank)  # rank-2 n x n, entries of RMS 1
    problem = km.random_completion(1, truth, m)  # m entries observed, uniformly at random

    def report(name, W):
        err, erank = km.reconstruction_error(W, truth), km.effective_rank(W)
        print(f"{name:12s}: reconstruction error {err:.2e}, effective rank {erank:5.2f}, "
              f"nuclear norm {km.nuclear_norm(W):6.1f}")

    print(f"completion of a rank-{rank} {n} x {n} matrix from {m} entries; truth's nuclear "
          f"norm {km.nuclear_norm(truth):.1f}")
    nuclear = km.min_nuclear_norm(problem)  # the convex baseline (cvxpy, Clarabel)
    report("min nuclear", nuclear.X)
    runs = {}
    for depth in (1, 2, 3):
        model = km.deep_factors(2, n, depth, scale)  # Gaussian init, ||W(0)||_F ~ 1e-3 sqrt(n)
        # plain gradient descent, fixed step 0.5, on the mean squared loss over the observed
        # entries, until that loss is below 1e-6 (singular values recorded every 20 steps)
        runs[depth] = km.gradient_descent(problem, model, step=step, steps=max_steps,
                                          loss="mean", stop_loss=1e-6, chunk=20)
        run = runs[depth]
        report(f"depth {depth}", run.matrix)
        print(f"{'':14s}GD step {step:g}: {run.steps_run} steps, final train loss "
              f"{run.losses[-1]:.1e}, converged {run.converged}")

    with paper_style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.0))
    k = np.arange(1, n + 1)
    left.semilogy(k, np.linalg.svd(truth, compute_uv=False), "k*", ms=6, label="truth")
    left.semilogy(k, np.linalg.svd(nuclear.X, compute_uv=False), "s--", ms=3,
                  label="min nuclear norm")
    for depth, run in runs.items():
        left.semilogy(k, np.linalg.svd(run.matrix, compute_uv=False), "o-", ms=3,
                      label=f"depth {depth}: error "
                            f"{km.reconstruction_error(run.matrix, truth):.1e}")
    left.set(xlabel="index i", ylabel=r"singular value $\sigma_i$", ylim=(1e-6, None),
             title="recovered singular values")
    left.legend(fontsize=6)
    for depth, style in ((2, "--"), (3, "-")):
        run = runs[depth]
        for i in range(4):
            right.semilogx(run.times[1:], run.singular_values[1:, i], style, color=f"C{i}",
                       label=f"depth {depth}" if i == 0 else None)
    right.set(xlabel=f"GD step (step size {step:g})", ylabel=r"top 4 singular values",
              title="their dynamics (cf. Arora et al. Fig. 3)")
    right.legend(fontsize=7)
    fig.suptitle(f"rank-{rank} {n} x {n} completion, {m} observed entries; GD from scale "
                 f"{scale:g}", fontsize=9)
    fig.tight_layout()
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / "arora2019.png"
    fig.savefig(out, dpi=150, bbox_inches="tight")
    print(f"wrote {out}")
    return out


if __name__ == "__main__":
    main()
