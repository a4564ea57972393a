"""Chizat & Bach (2018), teacher-student in the plane: particle gradient descent in mean-field
time on a two-layer ReLU network drives the loss to zero (a global minimum) and lines its
neurons up with the teacher's directions; the mass |b_i| |a_i| concentrates on those rays.

Run: `python examples/chizat_bach2018.py [--quick] [--out DIR]` (writes DIR/chizat_bach2018.png).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jax
import matplotlib.pyplot as plt
import numpy as np

import kernelrich  # noqa: F401  (float64 in JAX)
from kernelrich.meanfield import init_sphere, particle_descent, teacher_student
from kernelrich.plotting import paper_style


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 steps instead of 10,000")
    parser.add_argument("--out", type=Path, default=Path("."), help="output directory")
    args = parser.parse_args(argv)
    steps = 2000 if args.quick else 10000
    k_data, k_init = jax.random.split(jax.random.key(0))
    model, teacher = teacher_student(k_data, 2, 3, 100, "relu")  # d = 2, m0 = 3, n = 100

    with paper_style():
        fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.4))
    for ax, m in zip(axes, (3, 100), strict=True):
        init = init_sphere(k_init, m, 2, radius=0.5)
        path = particle_descent(model, init, step=1.0, num_steps=steps, record_every=10)
        points = np.abs(path.w)[:, :, None] * path.theta  # |b_i| a_i along the descent
        for i in range(m):
            color = "tab:red" if path.w[-1, i] > 0 else "tab:blue"
            ax.plot(points[:, i, 0], points[:, i, 1], color=color, lw=0.5, alpha=0.7)
        star = np.abs(np.asarray(teacher.w))[:, None] * np.asarray(teacher.theta)
        ax.scatter(star[:, 0], star[:, 1], marker="*", s=120, color="black", zorder=3)
        ax.set(aspect="equal", title=f"m = {m}: loss {path.loss[0]:.2g} -> {path.loss[-1]:.2g}")
        print(f"m = {m:3d}: loss {path.loss[0]:.3g} -> {path.loss[-1]:.3g} after {steps} steps")
    fig.suptitle("particles |b_i| a_i along the descent (red: b > 0, blue: b < 0); "
                 "stars: teacher neurons", fontsize=9)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "chizat_bach2018.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
