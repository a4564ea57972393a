"""Population loss at convergence against the init scale tau under SGD, as the authors'
`shallow-nn/populationSGD.jl` runs it: a two-layer ReLU student (1/m output factor) from tau
times a symmetrised Gaussian init, trained by SGD on a fresh batch of the teacher's data at
every step (so it minimises the population loss directly), the loss averaged over the last
iterations; mean +- std over trials, normalised by the largest mean as the authors plot it.

The update is the script's, as written: for the batch loss L = (1/2B) sum_i (f(x_i) - y_i)^2
with f(x) = (1/m) sum_j w_j relu(theta_j . x), it steps w by -step * m dL/dw and theta by
-step * d * m dL/dtheta (the script's gradients omit the 1/m factor, and the theta step is
multiplied by d); the teacher's outputs are divided by the batch size. The figure is
normalised, so the teacher's scale only sets the units."""

from __future__ import annotations

import functools
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from kernelrich.experiments import Experiment, Param, grid

from ._common import KEY, code, floats, init_key, mean_std, mode, teacher

FILE = "populationSGD.jl"
TAUS = [0.01, 0.02, 0.04, *(10.0 ** np.linspace(-1.0, 0.0, 11)).tolist(), 2.0, 4.0, 8.0]
FULL = {"d": 100, "m": 50, "batch": 200, "steps": 20_000, "last": 2_000, "trials": 10}
QUICK = {"d": 20, "m": 20, "batch": 50, "steps": 2_000, "last": 200, "trials": 3}
M0, BLOCKS = 3, 50


def points(quick: bool) -> list[dict]:
    """One point per trial: its seed draws the teacher and the batches; each tau its own
    init."""
    size = QUICK if quick else FULL
    fixed = {k: [v] for k, v in size.items() if k != "trials"}
    return grid(seed=list(range(size["trials"])), m0=[M0], taus=[TAUS], **fixed)


def step_of(tau):
    """The authors' step, min(0.25 / tau^2, 25)."""
    return np.minimum(0.25 / np.asarray(tau) ** 2, 25.0)


def sgd_step(theta, w, X, theta0, w0, step):
    """One step of the script's SGD on the batch X (B, d): returns (theta, w, batch loss
    before the step). theta (m, d), w (m,): the student; theta0, w0: the teacher."""
    batch, d = X.shape
    y0 = jax.nn.relu(X @ theta0.T) @ w0 / batch  # the teacher, divided by the batch size
    temp = jax.nn.relu(theta @ X.T)  # (m, B)
    residual = (w @ temp / w.shape[0] - y0) / batch
    value = 0.5 * batch * jnp.sum(residual**2)
    grad_w = temp @ residual  # the script's gradients: m dL/dw and m dL/dtheta
    grad_theta = (w[:, None] * (temp > 0)) @ (X * residual[:, None])
    return theta - step * d * grad_theta, w - step * grad_w, value


def student_init(key, tau, m: int, d: int):
    """tau times N(0, 1) entries, symmetrised: w = (|w_1|, ..., -|w_1|, ...), theta copied."""
    k_theta, k_w = jax.random.split(key)
    theta = tau * jax.random.normal(k_theta, (m // 2, d))
    w = jnp.abs(tau * jax.random.normal(k_w, (m // 2,)))
    return jnp.concatenate([theta, theta]), jnp.concatenate([w, -w])


@functools.lru_cache(maxsize=8)
def _program(m: int, d: int, batch: int, steps: int):
    step_all = jax.vmap(sgd_step, in_axes=(0, 0, None, None, None, 0))

    def trial(k_data, k_inits, taus, step, theta0, w0):
        theta, w = jax.vmap(student_init, in_axes=(0, 0, None, None))(k_inits, taus, m, d)

        def body(carry, k):  # one fresh batch per step, shared by every tau of the trial
            X = jax.random.normal(k, (batch, d))
            theta, w, value = step_all(*carry, X / jnp.linalg.norm(X, axis=1, keepdims=True),
                                       theta0, w0, step)
            return (theta, w), value

        _, values = jax.lax.scan(body, (theta, w), jax.random.split(k_data, steps))
        return values.T  # (taus, steps)

    return jax.jit(trial)


def compute(config: dict) -> dict:
    """SGD for every tau of one trial in one vmapped program; the mean batch loss over the
    last `last` steps (the script sums them; the figure is normalised either way) and the
    loss averaged over 50 blocks of steps (for convergence)."""
    t = teacher(np.random.default_rng(config["seed"]), config["m0"], config["d"])
    taus = np.asarray(config["taus"], dtype=float)
    k_inits = jnp.stack([init_key(config["seed"], i) for i in range(len(taus))])
    run = _program(config["m"], config["d"], config["batch"], config["steps"])
    values = np.asarray(run(init_key(config["seed"], len(taus)), k_inits, jnp.asarray(taus),
                            jnp.asarray(step_of(taus)), t["a"], t["b"]))
    return {"final_loss": floats(values[:, -config["last"]:].mean(axis=1)),
            "block_loss": floats(values.reshape(len(taus), BLOCKS, -1).mean(axis=2))}


def normalised(table) -> tuple[np.ndarray, np.ndarray, float]:
    """Mean and std over trials of the final loss divided by the largest mean (the authors'
    `ss = 1/maximum(mea)`), and that largest mean."""
    loss = np.array([r["final_loss"] for r in table.rows], dtype=float)
    mean, std = mean_std(loss)
    scale = float(np.max(mean))
    return mean / scale, std / scale, scale


def summary(table) -> dict:
    tau = np.asarray(table.rows[0]["taus"])
    mean, _, scale = normalised(table)
    best = int(np.nanargmin(mean)) if np.isfinite(mean).any() else 0
    blocks = np.array([r["block_loss"] for r in table.rows], dtype=float)  # (trial, tau, 50)
    drift = np.mean(blocks[:, :, -1], axis=0) / np.mean(blocks[:, :, -5], axis=0) - 1.0
    return {"trials": len(table.rows), "largest mean loss": scale,
            "tau at the lowest loss": float(tau[best]),
            "lowest normalised loss": float(mean[best]),
            "normalised loss at the largest tau": float(mean[-1]),
            "largest tau": float(tau[-1]),
            "taus still drifting (last block vs 5th last, > 10%)": int(np.sum(
                np.abs(drift) > 0.1))}


def tables(table, quick: bool):
    tau = np.asarray(table.rows[0]["taus"])
    mean, std, scale = normalised(table)
    rows = [{"tau": float(f"{t:.4g}"), "normalised loss mean": float(f"{m:.4g}"),
             "normalised loss std": float(f"{s:.4g}"), "loss mean": float(f"{m * scale:.4g}")}
            for t, m, s in zip(tau, mean, std, strict=True)]
    return [("Population loss against tau under SGD: summary", [summary(table)]),
            ("Population loss at convergence against tau (normalised by the largest mean)",
             rows)]


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import COLUMN_WIDTH, paper_style, save_figure

    r, s = table.rows[0], summary(table)
    tau = np.asarray(r["taus"])
    mean, std, _ = normalised(table)
    with paper_style():
        fig, ax = plt.subplots(figsize=(COLUMN_WIDTH, 0.8 * COLUMN_WIDTH))
        ax.plot(tau, mean, "k", lw=1.5)
        ax.fill_between(tau, mean - std, mean + std, color="0.85")
        ax.set(xscale="log", xlabel=r"init scale $\tau$",
               ylabel="population loss (normalised)")
    caption = (
        f"Population loss at convergence against the init scale tau under SGD, the authors' "
        f"{FILE} setup ({mode(quick)}): teacher of {r['m0']} ReLU neurons on the unit sphere "
        f"of R^{r['d']} (outputs sign(N(0, 1)), divided by the batch size as in the script), "
        f"student (1/m) sum_j w_j relu(theta_j . x) with m = {r['m']} from tau times N(0, 1) "
        f"entries, symmetrised; SGD on a fresh batch of {r['batch']} inputs on the sphere at "
        f"each of {r['steps']} steps, step min(0.25 / tau^2, 25) (theta's times d, the "
        f"script's update); y: the batch loss averaged over the last {r['last']} steps, mean "
        f"+- std (unbiased) over {s['trials']} trials, divided by the largest mean "
        f"({s['largest mean loss']:.3g}). Measured: lowest {s['lowest normalised loss']:.3g} at "
        f"tau = {s['tau at the lowest loss']:.3g}, {s['normalised loss at the largest tau']:.3g}"
        f" at tau = {s['largest tau']:.3g}; "
        f"{s['taus still drifting (last block vs 5th last, > 10%)']} taus whose loss still "
        f"changes by more than 10% between the last and the fifth-last of 50 blocks of steps."
    )
    return [save_figure(fig, out_dir, "lazy-population", caption)]


def setup(quick: bool) -> list[Param]:
    size = QUICK if quick else FULL

    def p(name, key):
        return Param.code(name, size[key], code(FILE), paper_value=FULL[key])

    return [
        p("d (input dimension)", "d"), p("m (student neurons)", "m"), p("batch size", "batch"),
        p("SGD iterations", "steps"), p("averaged over the last", "last"),
        p("trials (each redraws the teacher)", "trials"),
        Param.code("m0 (teacher neurons)", M0, code(FILE)),
        Param.code("tau", TAUS, code(FILE)),
        Param.code("step", "min(0.25 / tau^2, 25), theta's step times d", code(FILE)),
        Param.code("student", "(1/m) sum_j w_j relu(theta_j . x); init tau N(0, 1), "
                   "symmetrised", code("lazy.ipynb (populationSGDfor2NN)")),
        Param.code("gradients", "without the 1/m factor, as written",
                   code("lazy.ipynb (populationSGDfor2NN)")),
        Param.code("teacher outputs", "sum_j w0_j relu(theta0_j . x) / batch size, as written",
                   code("lazy.ipynb (populationSGDfor2NN)")),
        Param.code("y axis", "loss over the last steps / largest mean", code(FILE)),
        Param.choice("averaged loss", "mean of the last steps' batch losses",
                     "the script sums them; the normalised figure is the same"),
        Param.choice("batches", "one fresh batch per step, shared by every tau of a trial",
                     "common random numbers: drawing the batches was over half the cost; each "
                     "tau's run has the script's distribution, only the correlation between "
                     "taus differs from its separate draws"),
        Param.choice("random streams", "JAX threefry (inits per (trial, tau), batches per "
                     "trial), NumPy PCG64 (teacher)", "the authors' Julia stream "
                     "(Random.seed!(1)) cannot be reproduced"),
    ]


EXPERIMENT = Experiment(
    name="lazy-population",
    paper=KEY,
    title="Population loss at convergence against tau under SGD",
    claim=("The paper's SGD experiment on the population loss: a two-layer network started "
           "from a large init scale tau (lazy) reaches a worse population loss than from a "
           "small one."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    full_time=("not measured after batches were shared across taus (a 4x cut per step); "
               "about 1 h of CPU before it"),
)
