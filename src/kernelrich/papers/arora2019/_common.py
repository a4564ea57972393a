"""What the Arora, Cohen, Hu and Luo (2019) experiments share: the instance (a low-rank
ground truth with entries of RMS 1, observed by completion or Gaussian sensing), the
training of the authors' code (GroupRMSprop on W_N ... W_1 from a Gaussian init, mean
squared loss, stop at train loss 1e-6), the min-nuclear-norm baseline, and caption words.
The authors' repository is roosephu/deep_matrix_factorization; file names below are its."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ... import matrix as km
from ...experiments import Param

KEY = "arora2019"
REPO = "roosephu/deep_matrix_factorization"
STOP = 1e-6  # main.py: train_thres, train loss (mean over observations)
NUCLEAR_TOL = 1e-3  # main.py: |X_ij - W_ij| <= 1e-3 on observed entries (sensing: per y_i)
MAX_STEPS = 1_000_000  # main.py: n_iters


def instance(config: dict) -> tuple[km.Completion | km.Sensing, np.ndarray]:
    """(problem, truth) for a config with n, rank, m, seed and kind ("completion" or
    "sensing"; default completion): truth from `seed`, observations from `seed + 1`
    (gen_gt.py: W = U V^T / sqrt(r) rescaled to ||W||_F = n; gen_obs.py: entries uniform
    without replacement, or A_i = randn(n, n) / n)."""
    truth = km.low_rank_truth(config["seed"], config["n"], config["rank"])
    if config.get("kind", "completion") == "sensing":
        return km.gaussian_sensing(config["seed"] + 1, truth, config["m"]), truth
    return km.random_completion(config["seed"] + 1, truth, config["m"]), truth


def init_seed(seed: int, repeat: int) -> int:
    """The init's seed for repeat `repeat` of data seed `seed` (one Gaussian draw per
    repeat, scaled to each init scale)."""
    return 1000 * (seed + 1) + repeat


def train_batch(problem, depth: int, scales: Sequence[float], lrs: Sequence[float],
                repeats: int, seed: int, max_steps: int, *, chunk: int = 2000
                ) -> list[km.DescentResult]:
    """GroupRMSprop (opt.py, eps 1e-4) from the Gaussian init (main.py: per-layer std
    scale^(1/N) / sqrt(n)) for every (lr, scale, repeat), in that order, as one vmapped
    batch; each run stops at train loss 1e-6 or `max_steps`."""
    n = problem.shape[0]
    models, steps = [], []
    for lr in lrs:
        for scale in scales:
            for r in range(repeats):
                models.append(km.deep_factors(init_seed(seed, r), n, depth, scale))
                steps.append(lr)
    return km.gradient_descent_batch(problem, models, step=steps, steps=max_steps,
                                     loss="mean", stop_loss=STOP, chunk=chunk,
                                     optimizer="group_rmsprop")


def summary(W: np.ndarray, truth: np.ndarray) -> dict:
    """Reconstruction error (mean over all entries), nuclear norm and effective rank."""
    return {"error": km.reconstruction_error(W, truth), "nuclear_norm": km.nuclear_norm(W),
            "effective_rank": km.effective_rank(W)}


def nuclear_baseline(problem, truth) -> dict:
    """min ||X||_* with |A(X)_i - y_i| <= 1e-3 (configs/opt/cvx.toml, main.py: SCS), its
    summary, the solver's status, and the truth's nuclear norm and effective rank."""
    result = km.min_nuclear_norm(problem, tol=NUCLEAR_TOL, solver="SCS")
    return {**summary(result.X, truth), "status": result.status,
            "residual": result.residual, "truth_nuclear_norm": km.nuclear_norm(truth),
            "truth_effective_rank": km.effective_rank(truth)}


def optimiser_params(lrs, max_steps: int, full_steps: int = MAX_STEPS) -> list[Param]:
    """The setup rows of the authors' training (GroupRMSprop runs)."""
    return [
        Param.code("optimiser", "GroupRMSprop: lr / (sqrt(v_k / (1 - 0.99^k)) + 1e-4), v an "
                   "EMA (0.99) of sum_j ||grad W_j||^2", f"{REPO}: opt.py, main.py"),
        Param.code("learning rates", list(lrs), f"{REPO}: README.md (run.rb --replace "
                   "LR=0.001,0.0003)"),
        Param.code("loss", "mean over observations of (A(W)_i - y_i)^2", f"{REPO}: main.py"),
        Param.code("stop", f"train loss <= {STOP:g} or {max_steps} steps", f"{REPO}: main.py "
                   "(train_thres, n_iters)",
                   paper_value=None if max_steps == full_steps
                   else f"train loss <= {STOP:g} or {full_steps} steps"),
        Param.code("init", "Gaussian, per-layer std init_scale^(1/N) / sqrt(n): ||W(0)||_F "
                   "about sqrt(n) init_scale", f"{REPO}: main.py (initialization = gaussian)"),
        Param.code("model", "W = W_N ... W_1, all n x n, no bias", f"{REPO}: main.py"),
    ]


def nuclear_params() -> list[Param]:
    return [Param.code("min-nuclear-norm baseline", f"cvxpy + SCS, |A(X)_i - y_i| <= "
                       f"{NUCLEAR_TOL:g}, status recorded", f"{REPO}: configs/opt/cvx.toml, "
                       "main.py (cvx_opt)")]


def statuses(table) -> str:
    """A caption clause: the nuclear-norm solves' statuses, counted."""
    found = [r["status"] for r in table.rows if "status" in r]
    if not found:
        return ""
    bad = [s for s in found if s != "optimal"]
    return (f" SCS status optimal on {len(found) - len(bad)} of {len(found)} nuclear-norm "
            f"solves" + (f" ({', '.join(sorted(set(bad)))} on the others)." if bad else "."))


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"


def seeds_note(table) -> str:
    seeds = table.unique("seed")
    return f"seed{'s' if len(seeds) > 1 else ''} {', '.join(str(s) for s in seeds)}"
