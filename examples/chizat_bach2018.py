"""Chizat & Bach (2018), teacher-student in the plane: the particle gradient flow in mean-field
time of a two-layer ReLU network, from particles on a small sphere around 0 (the separation
condition of Theorem 3.3), with m = m0 and m >> m0 particles; prints the final loss and how far
gradient descent with a finite step ends from the flow.

Run: `python examples/chizat_bach2018.py [--quick] [--out DIR]` (writes DIR/chizat_bach2018.png).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jax
import matplotlib.pyplot as plt
import numpy as np

import kernelrich  # noqa: F401  (float64 in JAX)
from kernelrich.meanfield import init_sphere, particle_descent, particle_flow, teacher_student
from kernelrich.plotting import paper_style


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="t = 2,000 instead of 10,000")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    t_end = 2000.0 if args.quick else 10000.0
    times = np.concatenate([[0.0], np.geomspace(0.01, t_end, 60)])  # log-spaced records
    k_data, k_init = jax.random.split(jax.random.key(0))
    model, teacher = teacher_student(k_data, 2, 3, 100, "relu")  # d = 2, m0 = 3, n = 100

    with paper_style():
        fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.4))
    for ax, m in zip(axes, (3, 100), strict=True):
        init = init_sphere(k_init, m, 2, radius=0.5)
        flow = particle_flow(model, init, times=times, rtol=1e-4, atol=1e-6, max_steps=10**6)
        descent = particle_descent(model, init, step=1.0, num_steps=round(t_end))
        points = np.abs(flow.w)[:, :, None] * flow.theta  # |b_i| a_i along the flow
        for i in range(m):
            color = "tab:red" if flow.w[-1, i] > 0 else "tab:blue"
            ax.plot(points[:, i, 0], points[:, i, 1], color=color, lw=0.5, alpha=0.7)
        star = np.abs(np.asarray(teacher.w))[:, None] * np.asarray(teacher.theta)
        ax.scatter(star[:, 0], star[:, 1], marker="*", s=120, color="black", zorder=3)
        ax.set(aspect="equal", title=f"m = {m}: loss {flow.loss[0]:.2g} -> {flow.loss[-1]:.2g}")
        print(f"m = {m:3d}: flow loss {flow.loss[0]:.3g} -> {flow.loss[-1]:.3g} at t = "
              f"{t_end:g} ({flow.solver_steps} Tsit5 steps); gradient descent with step 1: "
              f"loss {descent.curve[-1]:.3g}, particles within {descent.distance(flow):.2g} "
              f"of the flow's")
    fig.suptitle("particle flow |b_i| a_i (red: b > 0, blue: b < 0); stars: teacher neurons",
                 fontsize=9)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "chizat_bach2018.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
