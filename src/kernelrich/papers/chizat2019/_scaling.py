"""Lazy vs mean-field scaling of the width (our illustration of the paper's two-layer
discussion; moved here from the Chizat & Bach 2018 section, where it was `meanfield-scaling`):
the same two-layer ReLU network trained under the lazy 1/sqrt(m) scaling (particles barely
move: relative change -> 0 as m grows) and the mean-field 1/m scaling (particles travel an
m-independent distance). Beside the particles' movement, the relative change of the empirical
tangent kernel (`kernelrich.lazy.kernel_change`), the same measurement as `lazy-digits`."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from kernelrich.experiments import Experiment, Param, grid
from kernelrich.lazy import kernel_change
from kernelrich.meanfield import init_gaussian, particle_descent, symmetrize, teacher_student

from ._common import KEY, mode, slope

QUICK = {"ms": [16, 128, 1024], "seeds": [0, 1], "num_steps": 200}
FULL = {"ms": [16, 64, 256, 1024, 4096, 16384], "seeds": [0, 1, 2, 3], "num_steps": 2000}
SCALINGS = ("mean-field", "lazy")


def sizes(quick: bool) -> dict:
    return dict(d=10, m0=5, n=200, step=0.5, num_steps=(QUICK if quick else FULL)["num_steps"],
                n_kernel=30)


def network(params, X):
    """sum_i w_i relu(a_i . x) at the inputs X, for the tangent kernel. The output factor
    m^-gamma of either scaling multiplies the kernel by a constant and cancels in its
    relative change."""
    w, theta = params
    return jnp.maximum(X @ theta.T, 0.0) @ w


def points(quick: bool) -> list[dict]:
    s = QUICK if quick else FULL
    return [{**c, **sizes(quick)}
            for c in grid(scaling=list(SCALINGS), m=s["ms"], seed=s["seeds"])]


def run(config: dict):
    """Particle GD from a symmetrised Gaussian initialisation (f = 0 at t = 0); m counts
    both halves."""
    k_data, k_init = jax.random.split(jax.random.key(config["seed"]), 2)
    model, _ = teacher_student(k_data, config["d"], config["m0"], config["n"], "relu")
    init = symmetrize(init_gaussian(k_init, config["m"] // 2, config["d"]))
    return model, particle_descent(model, init, step=config["step"],
                                   num_steps=config["num_steps"], scaling=config["scaling"])


def compute(config: dict) -> dict:
    model, path = run(config)
    X = model.X[: config["n_kernel"]]
    return {
        "relative_change": path.relative_change(),
        "kernel_change": kernel_change(network, (path.w[0], path.theta[0]),
                                       (path.w[-1], path.theta[-1]), X),
        "final_loss": float(path.curve[-1]),
        "relative_loss": float(path.curve[-1] / path.curve[0]),
    }


def slopes(table) -> dict[str, float]:
    """The least-squares slope of log(relative change) against log m, per scaling (NaN if a
    run's change is not positive and finite)."""
    return {s: slope(table.where(scaling=s).column("m"),
                     table.where(scaling=s).column("relative_change"))
            for s in table.unique("scaling")}


def tables(table, quick: bool):
    rows = []
    fitted = slopes(table)
    for s in table.unique("scaling"):
        for m in table.unique("m"):
            sub = table.where(scaling=s, m=m)
            rows.append({"scaling": s, "m": m,
                         "relative_change": float(np.mean(sub.column("relative_change"))),
                         "kernel_change": float(np.mean(sub.column("kernel_change"))),
                         "relative_loss": float(np.mean(sub.column("relative_loss"))),
                         "fitted_slope": fitted[s]})
    return [("Relative parameter change ||x(t) - x(0)|| / ||x(0)|| (mean over seeds)", rows)]


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import PAGE_WIDTH, paper_style, save_figure

    fitted = slopes(table)
    with paper_style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 0.4 * PAGE_WIDTH))
        for s, marker in (("mean-field", "o"), ("lazy", "s")):
            sub = table.where(scaling=s)
            ms = sub.unique("m")
            change = [np.mean(sub.where(m=m).column("relative_change")) for m in ms]
            loss = [np.mean(sub.where(m=m).column("relative_loss")) for m in ms]
            kernel = [np.mean(sub.where(m=m).column("kernel_change")) for m in ms]
            label = f"{s} (slope {fitted[s]:.2f})"
            line, = left.plot(ms, change, marker=marker, label=label)
            left.plot(ms, kernel, marker=marker, ls="--", mfc="none", color=line.get_color(),
                      label=f"{s}: tangent kernel")
            right.plot(ms, loss, marker=marker, label=s)
        left.set(xscale="log", yscale="log", xlabel="m", ylabel="relative change")
        right.set(xscale="log", yscale="log", xlabel="m", ylabel="J_m(t) / J_m(0)")
        left.legend()
        right.legend()
        fig.tight_layout()
    r0 = table.rows[0]
    measured = ", ".join(f"{s} {v:.2f}" for s, v in fitted.items())
    caption = (
        f"Lazy (output m^-1/2 sum_i, step factor 1) vs mean-field (output m^-1 sum_i, step "
        f"factor m) scaling of the same ReLU network on a teacher-student problem (d = "
        f"{r0['d']}, m0 = {r0['m0']}, n = {r0['n']}), from the symmetrised Gaussian "
        f"initialisation (f = 0 at t = 0), particle gradient descent (not the flow), step "
        f"{r0['step']:g}, {r0['num_steps']} steps (t = {r0['step'] * r0['num_steps']:g}), m in "
        f"{table.unique('m')}, seeds {table.unique('seed')}, {mode(quick)}. Left, solid: relative "
        f"change ||x(t) - x(0)|| / ||x(0)|| of all parameters, with the fitted log-log slope "
        f"(measured: {measured}; the lazy scaling's kappa = O(m^-1/2) bounds it by m^-1/2); "
        f"dashed: relative Frobenius change of the empirical tangent kernel on the first "
        f"{r0['n_kernel']} training inputs (kernelrich.lazy.kernel_change); right: final over "
        f"initial loss."
    )
    return [save_figure(fig, out_dir, "lazy-meanfield-scaling", caption)]


def setup(quick: bool) -> list[Param]:
    s, why = (QUICK if quick else FULL), "our illustration: the paper has no such figure"
    return [
        *[Param.choice(k, v, why) for k, v in sizes(quick).items()],
        Param.choice("m (total particles, both halves)", s["ms"], why),
        Param.choice("seeds", s["seeds"], why),
        Param.choice("init", "Gaussian particles, symmetrised (f = 0 at t = 0)",
                     "the doubling trick of the paper's Section 2.2 (h(w0) = 0)"),
        Param.choice("teacher", "kernelrich.meanfield.teacher_student (ReLU, unit-sphere "
                     "inputs)", "the mean-field package's teacher"),
    ]


EXPERIMENT = Experiment(
    name="lazy-meanfield-scaling",
    paper=KEY,
    title="Lazy 1/sqrt(m) vs mean-field 1/m scaling: how far the parameters move (our "
          "illustration)",
    claim=("With the lazy scaling the criterion kappa is O(m^-1/2), so the particles' relative "
           "change should vanish at least like m^-1/2 as m grows (kernel regime); under the "
           "mean-field scaling it stays of order one: the particles travel (Chizat & Bach "
           "2018, Section 2.3)."),
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
    setup=setup,
    schema=2,
    full_time="not measured",
)
