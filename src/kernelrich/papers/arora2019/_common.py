"""What the Arora, Cohen, Hu and Luo (2019) experiments share: the instance (a low-rank
ground truth with entries of RMS 1, observed by completion or Gaussian sensing), the
optimiser of the authors' code, and the words a caption uses for them."""

from __future__ import annotations

import numpy as np

from ... import matrix as km

KEY = "arora2019"
LR = 1e-3  # the authors' learning rate
STOP = 1e-6  # train loss (mean over observations) at which training stops
NUCLEAR_TOL = 1e-3  # |X_ij - W_ij| <= 1e-3 on observed entries, as in the authors' code


def instance(config: dict) -> tuple[km.Completion | km.Sensing, np.ndarray]:
    """(problem, truth) for a config with n, rank, m, seed and kind ("completion" or
    "sensing"; default completion): truth from `seed`, observations from `seed + 1`."""
    truth = km.low_rank_truth(config["seed"], config["n"], config["rank"])
    if config.get("kind", "completion") == "sensing":
        return km.gaussian_sensing(config["seed"] + 1, truth, config["m"]), truth
    return km.random_completion(config["seed"] + 1, truth, config["m"]), truth


def train(problem, depth: int, scale: float, seed: int, max_steps: int, *, chunk: int = 1000
          ) -> km.DescentResult:
    """Arora et al.'s optimiser (GroupRMSprop, lr 1e-3) on W_N ... W_1 from the Gaussian
    init of scale `scale` (seed `seed + 2`), mean squared loss, stop at train loss 1e-6."""
    model = km.deep_factors(seed + 2, problem.shape[0], depth, scale)
    return km.gradient_descent(problem, model, step=LR, steps=max_steps, loss="mean",
                               stop_loss=STOP, chunk=chunk, optimizer="group_rmsprop")


def summary(W: np.ndarray, truth: np.ndarray) -> dict:
    """Reconstruction error (mean over all entries), nuclear norm and effective rank."""
    return {"error": km.reconstruction_error(W, truth), "nuclear_norm": km.nuclear_norm(W),
            "effective_rank": km.effective_rank(W)}


def optimiser_note(max_steps: int) -> str:
    """How the factorisations were trained, for captions."""
    return (f"trained by the authors' adaptive optimiser (GroupRMSprop: one scalar step "
            f"lr / (sqrt(avg ||grad||^2) + 1e-4), avg 0.99, lr = {LR:g}; not plain GD, not the "
            f"flow) on the mean squared loss over observations, Gaussian init, stopped at "
            f"train loss {STOP:g} or {max_steps} steps")


def nuclear_note() -> str:
    return (f"min-nuclear-norm baseline: cvxpy + SCS, |X_ij - W*_ij| <= {NUCLEAR_TOL:g} on "
            f"observed entries (the authors' relaxation)")


def mode(quick: bool) -> str:
    return "quick mode" if quick else "full mode"


def seeds_note(table) -> str:
    seeds = table.unique("seed")
    return f"seed{'s' if len(seeds) > 1 else ''} {', '.join(str(s) for s in seeds)}"


def unconverged(table) -> str:
    """A caption clause naming runs that hit the step limit (empty if none)."""
    rows = [r for r in table.rows if r.get("converged") is False
            or (isinstance(r.get("converged"), list) and not all(r["converged"]))]
    return f" {len(rows)} run(s) hit the step limit before the loss threshold." if rows else ""
