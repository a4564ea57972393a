"""Benchmark: the full-mode (authors' size) cost of the Chizat, Oyallon, Bach (2019)
experiments, per point.

Each experiment's full-mode point is computed with the experiment's own `compute`: end to end
where it is short (the ODE experiments, the plane); otherwise with its step count cut to two
smaller values s1 < s2, which gives the cost per step (t2 - t1) / (s2 - s1) and the fixed cost
(compilation, setup) t1 - s1 x that, hence the point at the full step count. Wall and CPU time
(`time.process_time`, all threads) are both printed, with the grid's total: points of equal
cost times their count, or for the width sweeps (cost growing with m) the measured widths and
a fit linear in m. On a loaded machine the wall time is the honest one; XLA's worker threads
also spin while they wait, so CPU time grows with the load too.

Usage: `.venv/bin/python bench/bench_lazy_full.py [NAME ...] [--widths 16 64]`
(default: every experiment of the paper).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from kernelrich.papers import chizat2019 as paper  # noqa: E402

# experiment -> (the config's step count, the cut step counts s1 < s2, keys tied to it)
STEPS = {"lazy-tau": ("steps", (500, 1500)), "lazy-width": ("steps", (500, 1500)),
         "lazy-population": ("steps", (1000, 3000)), "lazy-digits": ("steps", (500, 1500)),
         "lazy-meanfield-scaling": ("num_steps", (200, 600))}
BY_WIDTH = {"lazy-width", "lazy-meanfield-scaling"}


def timed(exp, config: dict) -> np.ndarray:
    wall, cpu = time.perf_counter(), time.process_time()
    exp.compute(config)
    return np.array([time.perf_counter() - wall, time.process_time() - cpu])


def point_cost(exp, config: dict) -> np.ndarray:
    """(wall, cpu) seconds of one full-mode point, measured or extrapolated in steps."""
    if exp.name not in STEPS:
        return timed(exp, config)
    key, (s1, s2) = STEPS[exp.name]
    full = config[key]

    def cut(s):
        c = {**config, key: s}
        if "last" in c:
            c["last"] = min(c["last"], s)
        return c

    t1, t2 = timed(exp, cut(s1)), timed(exp, cut(s2))
    per_step = (t2 - t1) / (s2 - s1)
    fixed = t1 - s1 * per_step
    print(f"  {exp.name}: {s1} steps {t1[0]:.1f} / {t1[1]:.1f} s, {s2} steps {t2[0]:.1f} / "
          f"{t2[1]:.1f} s (wall / CPU): per step {per_step[0] * 1e3:.2f} / "
          f"{per_step[1] * 1e3:.2f} ms, fixed {fixed[0]:.1f} / {fixed[1]:.1f} s", flush=True)
    return fixed + full * per_step


def bench(exp, widths: list[int]) -> None:
    grid = exp.points(False)
    if exp.name not in BY_WIDTH:
        cost = point_cost(exp, grid[0])
        print(f"{exp.name}: {len(grid)} points; one point {cost[0]:.0f} s wall / {cost[1]:.0f} "
              f"s CPU; grid {len(grid) * cost[0] / 60:.1f} min wall / "
              f"{len(grid) * cost[1] / 60:.1f} min CPU", flush=True)
        return
    costs = {m: point_cost(exp, next(c for c in grid if c["m"] == m)) for m in widths}
    for m, cost in costs.items():
        print(f"{exp.name}: m = {m}: one point {cost[0]:.0f} s wall / {cost[1]:.0f} s CPU",
              flush=True)
    ms = np.array(list(costs), dtype=float)
    fits = [np.polyfit(ms, [c[i] for c in costs.values()], 1) for i in (0, 1)]
    total = [sum(np.polyval(fit, c["m"]) for c in grid) for fit in fits]
    print(f"{exp.name}: {len(grid)} points; per point about {fits[0][1]:.1f} s + "
          f"{fits[0][0]:.3f} s x m wall; grid {total[0] / 3600:.2f} h wall / "
          f"{total[1] / 3600:.2f} h CPU", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="experiments (default: all of the paper)")
    parser.add_argument("--widths", nargs="+", type=int, default=[16, 64])
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    for exp in paper.EXPERIMENTS:
        if not args.names or exp.name in args.names:
            bench(exp, args.widths)


if __name__ == "__main__":
    main()
