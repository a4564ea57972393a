"""Teacher-student in the plane: the particles |w_i| theta_i of the many-particle gradient
flow, for a ReLU network (2-homogeneous: Chizat & Bach 2018, Theorem 3.3) and a sigmoid
network (partially 1-homogeneous: Theorem 3.5).

Our illustration of the theorems. The paper's Section 4 shows such particle flows and the
authors' page of animations for the paper adds one for a sigmoid network in dimension d = 2,
but their teacher, data, initialisation and times could not be read: every value here is our
choice (see `setup`)."""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np

from kernelrich.experiments import Experiment, Param, grid
from kernelrich.meanfield import (
    Particles,
    init_gaussian,
    init_sphere,
    particle_flow,
    replicate,
    teacher_student,
)

from ._common import KEY, keys, log_times, mode, rounded

D, M0, N = 2, 3, 100
TEACHER_NORM = {"relu": 1.0, "sigmoid": 4.0}
RADIUS = 0.5
THETA_STD = 2.0
MS = (3, 99)
RTOL, ATOL = 1e-4, 1e-6
SEED = 0
SIZE = max(MS)
"""Every run is computed with SIZE particles, m distinct ones copied SIZE / m times (the
same m-particle dynamics, `kernelrich.meanfield.replicate`), so that one compiled flow
serves every m (and the checks' flows on the same problems)."""
SAVES = 80
MAX_STEPS = 10**6


def t_end(quick: bool) -> float:
    return 2000.0 if quick else 10000.0


def points(quick: bool) -> list[dict]:
    return grid(activation=["relu", "sigmoid"], m=list(MS), seed=[SEED], t_end=[t_end(quick)])


def problem(activation: str, seed: int = SEED):
    """The teacher-student data of `seed` and the key of the students' initialisation."""
    k_data, k_init = keys(seed, 2)
    model, teacher = teacher_student(k_data, D, M0, N, activation,
                                     teacher_norm=TEACHER_NORM[activation])
    return model, teacher, k_init


def flow(model, init: Particles, t_end: float, rtol: float = RTOL, atol: float = ATOL):
    """The particle flow of `init` copied to SIZE particles, saved at SAVES log-spaced times
    to `t_end` (the solver's verdict in `result`), and the m copies' count."""
    copies = SIZE // init.m
    if copies * init.m != SIZE:
        raise ValueError(f"m must divide {SIZE}, got m={init.m}")
    return particle_flow(model, replicate(init, copies), times=log_times(t_end, SAVES),
                         rtol=rtol, atol=atol, max_steps=MAX_STEPS, throw=False), copies


def initial(activation: str, key, m: int) -> Particles:
    """The separating initialisation of each theorem: for ReLU (Thm 3.3) the sphere of radius
    `RADIUS` in R^(d+1), which separates the smaller spheres from the larger ones; for sigmoid
    (Thm 3.5) zero weights {0} x Theta with theta ~ N(0, THETA_STD^2 I), whose support is all
    of Theta = R^d."""
    if activation == "relu":
        return init_sphere(key, m, D, radius=RADIUS)
    return Particles(jnp.zeros(m), init_gaussian(key, m, D, std=THETA_STD).theta)


def _alignment(w, theta, teacher) -> float:
    """The fraction of output mass sum |w_i| |theta_i| within 0.1 rad of a teacher direction
    (with the teacher neuron's sign)."""
    a, s = np.asarray(teacher.theta), np.sign(np.asarray(teacher.w))
    norms = np.linalg.norm(theta, axis=1)
    cos = (theta / np.maximum(norms, 1e-300)[:, None]) @ (a / np.linalg.norm(a, axis=1)[:, None]).T
    close = (cos > np.cos(0.1)) & (np.sign(w)[:, None] == s[None, :])
    mass = np.abs(w) * norms
    return float(mass[close.any(axis=1)].sum() / mass.sum())


def compute(config: dict) -> dict:
    act, m = config["activation"], config["m"]
    model, teacher, k_init = problem(act, config["seed"])
    path, copies = flow(model, initial(act, k_init, m), config["t_end"])
    w, theta = path.w[:, :m], path.theta[:, :m]  # the m distinct particles
    points = np.abs(w)[:, :, None] * theta
    t_w, t_a = np.asarray(teacher.w), np.asarray(teacher.theta)
    return {
        "times": rounded(path.times),
        "trajectory": rounded(points, 5),
        "final_sign": np.sign(w[-1]).tolist(),
        "teacher_points": rounded(np.abs(t_w)[:, None] * t_a),
        "teacher_sign": np.sign(t_w).tolist(),
        "loss": rounded(path.loss),
        "final_loss": float(path.loss[-1]),
        "aligned_fraction": _alignment(w[-1], theta[-1], teacher),
        "solver_steps": path.solver_steps,
        "flow_result": path.result,
        "copies": copies,
    }


def setup(quick: bool) -> list[Param]:
    why = "the paper's Section 4 value could not be read"
    return [
        Param.paper("d (input dimension)", D, "authors' page of animations for the paper: "
                    "a sigmoid network 'in dimension d=2'"),
        Param.paper("activations", ["relu", "sigmoid"], "Section 2 (networks with a single "
                    "hidden layer); ReLU is Theorem 3.3's 2-homogeneous case, sigmoid "
                    "Theorem 3.5's partially 1-homogeneous one"),
        Param.choice("m0 (teacher neurons)", M0, why),
        Param.choice("teacher", "input weights uniform on the sphere of radius "
                     f"{TEACHER_NORM['relu']:g} (ReLU) / {TEACHER_NORM['sigmoid']:g} "
                     "(sigmoid), output weights random signs, output (1/m0) sum_j", why),
        Param.choice("n (inputs, uniform on the unit circle)", N, why),
        Param.choice("loss", "square, R(f) = (1/2n) sum_k (f(x_k) - y_k)^2", why),
        Param.choice("m (particles)", list(MS), "m = m0 against m >> m0"),
        Param.choice("initialisation", f"ReLU: uniform on the sphere of radius {RADIUS:g} in "
                     f"R^3; sigmoid: w = 0, theta ~ N(0, {THETA_STD:g}^2 I)", "satisfies "
                     "each theorem's separation condition (Thm 3.3: a sphere around 0; "
                     "Thm 3.5: {0} x Theta)"),
        Param.choice("dynamics", f"particle gradient flow, diffrax Tsit5, rtol {RTOL:g}, "
                     f"atol {ATOL:g}", "the theorems' object (no gradient-descent step)"),
        Param.choice("computation", f"m distinct particles copied {SIZE} / m times",
                     "the same m-particle dynamics; one compiled flow for every m"),
        Param.choice("t_end (mean-field time)", t_end(quick),
                     why + (f"; full mode: {t_end(False):g}" if quick else "")),
        Param.paper("time axis", f"logarithmic ({SAVES} log-spaced records)", "authors' page of "
                    "animations: 'The time scale is logarithmic'"),
        Param.choice("seed", SEED, "one draw of teacher, data and initialisation"),
    ]


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import COLORS, PAGE_WIDTH, paper_style, save_figure

    acts, ms = table.unique("activation"), table.unique("m")
    with paper_style():
        size = (PAGE_WIDTH, 0.5 * PAGE_WIDTH * len(acts))
        fig, axes = plt.subplots(len(acts), len(ms), figsize=size, squeeze=False)
        for i, act in enumerate(acts):
            for j, m in enumerate(ms):
                row = table.where(activation=act, m=m).rows[0]
                _panel(axes[i, j], row, COLORS)
        fig.tight_layout()
    r0 = table.rows[0]
    steps = table.column("solver_steps")
    stopped = [f"{r['activation']} m = {r['m']}" for r in table.rows
               if r["flow_result"] != "successful"]
    caption = (
        f"Our illustration of Chizat & Bach (2018), Theorems 3.3 (ReLU) and 3.5 (sigmoid): "
        f"teacher-student in the plane (d = {D}, m0 = {M0} teacher neurons, n = {N} inputs on "
        f"the unit circle, square loss). Particle gradient flow in mean-field time (diffrax "
        f"Tsit5, rtol {RTOL:g}, atol {ATOL:g}, {np.min(steps)}-{np.max(steps)} solver steps) "
        f"to t = {r0['t_end']:g}, students of m = {', '.join(map(str, ms))} particles; ReLU "
        f"from the sphere of radius {RADIUS:g} in R^3, sigmoid from w = 0 and theta ~ N(0, "
        f"{THETA_STD:g}^2 I); seed {r0['seed']}, {mode(quick)}. Titles: final loss and the "
        f"fraction of output mass sum |w_i||theta_i| within 0.1 rad of a same-sign teacher "
        f"direction. Lines: |w_i| theta_i at log-spaced times; dots: final positions (orange "
        f"w_i > 0, blue w_i < 0); dashed rays: teacher directions."
        + (f" The solver stopped early for {', '.join(stopped)}." if stopped else "")
    )
    return [save_figure(fig, out_dir, "meanfield-plane", caption)]


def _panel(ax, row, colors):
    traj = np.asarray(row["trajectory"])
    sign = np.asarray(row["final_sign"])
    ax.plot(traj[:, :, 0], traj[:, :, 1], color="k", lw=0.4, alpha=0.6)
    for s, c in ((1, colors[1]), (-1, colors[0])):
        end = traj[-1, sign == s]
        ax.scatter(end[:, 0], end[:, 1], s=8, color=c, zorder=3)
    bound = 1.1 * max(np.nanmax(np.abs(traj)), 1.0)
    for p, s in zip(np.asarray(row["teacher_points"]), row["teacher_sign"], strict=True):
        u = p / np.linalg.norm(p)
        ax.plot([0, bound * u[0]], [0, bound * u[1]], ls="--", lw=0.8,
                color=colors[1] if s > 0 else colors[0])
    ax.set(xlim=(-bound, bound), ylim=(-bound, bound), aspect="equal")
    ax.set_title(f"{row['activation']}, m = {row['m']}: fit {row['final_loss']:.1e}, "
                 f"aligned {row['aligned_fraction']:.2f}")


EXPERIMENT = Experiment(
    name="meanfield-plane",
    paper=KEY,
    title="Teacher-student in the plane: particle trajectories (our illustration of "
          "Thms 3.3 and 3.5)",
    claim=("Chizat & Bach (2018), Theorems 3.3 and 3.5: from a separating initialisation, if "
           "the many-particle gradient flow converges, its limit is a global minimiser; the "
           "figure shows where the particles |w_i| theta_i go for m = m0 and m >> m0."),
    points=points,
    compute=compute,
    plot=plot,
    setup=setup,
    schema=2,
    full_time="about 1 min (measured end to end on a loaded CPU)",
)
