"""Figure 3 of Jacot et al. (2018) (Sec. 5; the seed leaves this figure as an open item):
convergence along the principal components of the NTK.

Data: N digits (`_setup.digits`). With Theta_inf(X, X) = sum_i lambda_i v_i v_i^T (unit v_i,
largest first), kernel gradient descent of the cost (1/2N) sum (f - y)^2 moves the residual
along v_i by the factor (1 - lr lambda_i / N) per step, i.e. like exp(-lambda_i t / N).
Targets *(our reading of the paper; uncertain)*: `"pc2"`, y = f_0(X) + 0.5 v_2 (the paper's
figure: the trajectory of (<f_t - f_0, v_1>, <f_t - f_0, v_2>)), and `"pc1-4"`,
y = f_0(X) + 0.5 (v_1 + v_2 + v_3 + v_4), to see four decay rates at once. Depth-4 ReLU
networks, beta = 0.1, NTK parametrisation, lr 1.0, wider networks against the kernel.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...experiments import Experiment, grid
from ...ntk import KernelFlow, infinite_ntk, train_gd
from ...plotting import COLORS, PAGE_WIDTH, save_figure
from . import _setup

N_COMPONENTS = 4


def points(quick: bool) -> list[dict]:
    return grid(target=["pc2", "pc1-4"], width=[100, 500] if quick else [100, 1000, 10000],
                seed=[0], n_points=[64 if quick else 512], depth=[4], beta=[0.1], lr=[1.0],
                n0=[64], kernel_time=[3.0 if quick else 4.0])


def components(config: dict) -> tuple[np.ndarray, np.ndarray]:
    """(lambda_1..4, v_1..4 as columns) of Theta_inf on the digits."""
    X = _setup.digits(config["n_points"])
    flow = KernelFlow(infinite_ntk(X, depth=config["depth"], bias_std=config["beta"]),
                      np.zeros(len(X)))
    return flow.eigenvalues[:N_COMPONENTS], flow.V[:, :N_COMPONENTS]


def schedule(config: dict) -> np.ndarray:
    """Recorded step counts: up to lambda_2 t / N = kernel_time (t = lr * steps)."""
    lam, _ = components(config)
    steps = int(np.ceil(config["kernel_time"] * config["n_points"] / (config["lr"] * lam[1])))
    return np.unique(np.round(np.linspace(0, steps, 41)).astype(int))


def offsets(config: dict) -> np.ndarray:
    """y - f_0 in the basis v_1..v_4."""
    if config["target"] == "pc2":
        return np.array([0.0, 0.5, 0.0, 0.0])
    return np.full(N_COMPONENTS, 0.5)


def compute(config: dict) -> dict:
    X = _setup.digits(config["n_points"])
    _, V = components(config)
    model = _setup.network(config)
    f0 = np.asarray(model(X))[:, 0]
    y = f0 + V @ offsets(config)
    steps = schedule(config)
    result = train_gd(model, X, y, lr=config["lr"], steps=int(steps[-1]), record=steps)
    coords = (result.predictions - f0) @ V  # <f_t - f_0, v_i>
    return {"steps": steps.tolist(), "coordinates": coords.tolist(),
            "final_loss": float(result.loss[-1])}


def kernel_coordinates(config: dict, steps: np.ndarray) -> np.ndarray:
    """<f_t - f_0, v_i> of kernel gradient descent with Theta_inf: offset (1 - (1-lr lam/N)^k)."""
    lam, _ = components(config)
    decay = (1 - config["lr"] * lam / config["n_points"])[None, :] ** np.asarray(steps)[:, None]
    return offsets(config) * (1 - decay)


def decay_rates(row: dict) -> np.ndarray:
    """Fitted per-step decay rate of each residual component (log-linear least squares over
    the steps where the kernel prediction of that component is still above 1e-3 of its start,
    at least the first three recorded steps)."""
    coords, steps = np.array(row["coordinates"]), np.array(row["steps"])
    resid = np.abs(offsets(row) - coords)
    kernel = np.abs(offsets(row) - kernel_coordinates(row, steps))
    rates = []
    for i in range(N_COMPONENTS):
        keep = kernel[:, i] >= 1e-3 * kernel[0, i]
        keep[:3] = True
        logs = np.log(np.maximum(resid[keep, i], 1e-300))
        rates.append(-np.polyfit(steps[keep], logs, 1)[0])
    return np.array(rates)


def plot(table, out_dir, quick: bool):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.38))
    pc2, pcs = table.where(target="pc2"), table.where(target="pc1-4")
    for color, width in zip(COLORS, table.unique("width"), strict=False):
        for row in pc2.where(width=width):
            c = np.array(row["coordinates"])
            ax1.plot(c[:, 1], c[:, 0], color=color, label=f"n = {width}")
        for row in pcs.where(width=width):
            c = np.abs(offsets(row) - np.array(row["coordinates"]))
            for i in range(N_COMPONENTS):
                ax2.semilogy(row["steps"], c[:, i], color=color, lw=0.8,
                             label=f"n = {width}" if i == 0 else None)
    if len(pc2):
        ref = kernel_coordinates(pc2.rows[0], pc2.rows[0]["steps"])
        ax1.plot(ref[:, 1], ref[:, 0], color="black", ls="--", label=r"$n \to \infty$")
    if len(pcs):
        row = pcs.rows[0]
        ref = np.abs(offsets(row) - kernel_coordinates(row, row["steps"]))
        ax2.semilogy(row["steps"], ref, color="black", ls="--", lw=0.8)
    ax1.set(xlabel=r"$\langle f_t - f_0, v_2\rangle$", ylabel=r"$\langle f_t - f_0, v_1\rangle$")
    ax2.set(xlabel="gradient step", ylabel=r"$|\langle f_t - y, v_i\rangle|$, i = 1..4")
    ax1.legend()
    ax2.legend()
    first = table.rows[0]
    caption = (f"Convergence along the principal components v_i of the limiting NTK on "
               f"{first['n_points']} centred digits, depth-4 ReLU networks, gradient descent "
               f"lr {first['lr']}, cost (1/2N) sum (f - y)^2. Left: target f_0 + 0.5 v_2; "
               f"right: target f_0 + 0.5 (v_1 + ... + v_4), residual per component; dashed: "
               f"kernel gradient descent with Theta_inf, decay (1 - lr lambda_i / N)^k. "
               f"Mode: {_setup.mode(quick)}.")
    return [save_figure(fig, out_dir, "jacot_fig3", caption)]


def tables(table, quick: bool):
    rows = []
    for row in table.where(target="pc1-4"):
        lam, _ = components(row)
        predicted = -np.log1p(-row["lr"] * lam / row["n_points"])
        fitted = decay_rates(row)
        rows.append({"width": row["width"], "seed": row["seed"],
                     **{f"rate {i + 1} fitted / kernel": float(fitted[i] / predicted[i])
                        for i in range(N_COMPONENTS)}})
    for row in table.where(target="pc2"):
        ref = kernel_coordinates(row, row["steps"])
        rows.append({"width": row["width"], "seed": row["seed"], "target": "pc2",
                     "max |coords - kernel|": float(np.abs(np.array(row["coordinates"]) - ref)
                                                    .max())})
    return [("Figure 3: decay rates along the kernel's principal components", rows)]


EXPERIMENT = Experiment(
    name="jacot-fig3",
    paper=_setup.KEY,
    title="Figure 3: convergence along the NTK's principal components",
    claim="The residual along the i-th principal component of the NTK decays like "
          "exp(-lambda_i t / N); wider networks follow the kernel prediction more closely.",
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
)
