"""Benchmark: deep matrix factorisation (Arora et al. 2019) and its baselines.

1. Steps per second of gradient descent on a depth-3 factorisation, n x n completion:
   kernelrich's compiled loop (`lax.scan` in chunks of 1000) against an equivalent eager
   loop (the same `jax.value_and_grad` and update, dispatched op by op from Python).
2. The min-nuclear-norm baseline (|X_ij - W_ij| <= 1e-3, Arora et al.'s relaxation) with
   SCS and with Clarabel, on the same 40 x 40 instance (and SCS alone at 100 x 100, where
   Clarabel's interior point on the 200 x 200 PSD cone takes far longer).
3. The full-mode cost of Arora et al.'s figures as the authors ran them (`arora-fig1-2`,
   `arora-sensing`, `arora-fig3`): the time per step of each full-size vmapped batch
   (every learning rate, init scale and repeat of one observation count and depth),
   measured over a few hundred steps after compiling, times the steps a batch needs (the
   slowest member: learning rate 3e-4), times the number of batches. The steps per batch
   are an estimate, printed with the result.

Wall time (perf_counter) and CPU time (process_time) are both printed: on a shared machine
the wall time is noisy. Run: `.venv/bin/python bench/bench_matrix.py [--quick]`.
"""

from __future__ import annotations

import argparse
import platform
import time

import jax
import numpy as np
from rich.console import Console
from rich.table import Table

import kernelrich  # noqa: F401  (float64)
from kernelrich import matrix as km
from kernelrich.papers.arora2019 import _fig3, _scales


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def steps_per_second(n: int, m: int, steps: int, eager_steps: int, console: Console) -> None:
    truth = km.low_rank_truth(0, n, 5)
    problem = km.random_completion(1, truth, m)
    model = km.deep_factors(2, n, 3, 1e-3)
    step = 1.0
    km.gradient_descent(problem, model, step=step, steps=1000, chunk=1000)  # compile
    wall_c, cpu_c, ours = _timed(lambda: km.gradient_descent(problem, model, step=step,
                                                              steps=steps, chunk=1000))
    scale = 1.0 / m
    grad = jax.value_and_grad(km.training_loss)
    jproblem = jax.tree_util.tree_map(jax.numpy.asarray, problem)

    def eager():
        params = model
        for _ in range(eager_steps):
            _, g = grad(params, jproblem, scale)
            params = jax.tree_util.tree_map(lambda p, q: p - step * q, params, g)
        return jax.block_until_ready(params)

    with jax.disable_jit(False):
        eager_w, eager_c, last = _timed(eager)
    ref = km.gradient_descent(problem, model, step=step, steps=eager_steps, chunk=eager_steps)
    agree = np.abs(np.asarray(last.matrix()) - ref.matrix).max()
    table = Table(title=f"GD steps/s, depth 3, {n}x{n} completion, m={m} (same iterates: "
                  f"max |difference| after {eager_steps} steps {agree:.1e})")
    for col in ["loop", "steps", "wall (s)", "cpu (s)", "steps/s (wall)", "steps/s (cpu)"]:
        table.add_column(col)
    rates = []
    for name, k, w, c in [("eager (op-by-op jax)", eager_steps, eager_w, eager_c),
                          ("kernelrich (lax.scan chunks)", steps, wall_c, cpu_c)]:
        rates.append((k / w, k / c))
        table.add_row(name, str(k), f"{w:.2f}", f"{c:.2f}", f"{k / w:.0f}", f"{k / c:.0f}")
    table.add_row("ratio ours / eager", "", "", "", f"{rates[1][0] / rates[0][0]:.0f}x",
                  f"{rates[1][1] / rates[0][1]:.0f}x")
    console.print(table)


def nuclear(n: int, m: int, console: Console, solvers=("SCS", "CLARABEL")) -> None:
    truth = km.low_rank_truth(0, n, 5)
    problem = km.random_completion(1, truth, m)
    table = Table(title=f"min-nuclear-norm baseline, {n}x{n} rank-5 completion, m={m}, "
                  "tol 1e-3")
    for col in ["solver", "status", "wall (s)", "cpu (s)", "||X||_*",
                "max KKT res. (rank tol 1e-4)", "rec. error"]:
        table.add_column(col)
    results = {}
    for solver in solvers:
        w, c, res = _timed(lambda s=solver: km.min_nuclear_norm(problem, tol=1e-3, solver=s))
        results[solver] = (w, res)
        kkt = max(km.kkt_residuals(problem, res, rank_tol=1e-4).values())
        table.add_row(solver, res.status, f"{w:.2f}", f"{c:.2f}", f"{res.nuclear_norm:.6f}",
                      f"{kkt:.1e}", f"{km.reconstruction_error(res.X, truth):.3e}")
    if len(results) == 2:
        (w_scs, scs), (w_cla, cla) = results["SCS"], results["CLARABEL"]
        table.add_row("ratio Clarabel / SCS", "", f"{w_cla / w_scs:.1f}x", "",
                      f"rel. diff {abs(scs.nuclear_norm / cla.nuclear_norm - 1):.1e}", "", "")
    console.print(table)


# Steps a full-size batch needs (its slowest member): GroupRMSprop at lr 1e-3 took about
# 30,000 steps to train loss 1e-6 at m = 2500 (section 3 of docs/benchmarks_matrix.md, the
# earlier full run), and the step is proportional to lr, so lr 3e-4 about 100,000. Plain GD
# (Figure 3) runs its 200,000 iterations unless the loss reaches 1e-6 first.
BATCH_STEPS = {"group_rmsprop": 100_000, "gd": _fig3.FULL_STEPS}


def _per_step(problem, models, step, optimizer: str, steps: int) -> tuple[float, float]:
    """Wall and CPU seconds per step of one batch, after a call that compiles the same
    program (same chunk length)."""

    def run():
        return km.gradient_descent_batch(problem, models, step=step, steps=steps, chunk=steps,
                                         optimizer=optimizer)

    run()
    w, c, _ = _timed(run)
    return w / steps, c / steps


def full_mode(quick: bool, console: Console) -> None:
    steps = 20 if quick else 50
    table = Table(title=f"full-mode cost: per-step time of each full-size batch ({steps} steps "
                  "measured), times the steps a batch needs, times the batches")
    for col in ["experiment", "batch", "members", "s/step wall", "s/step cpu", "steps needed",
                "batches", "estimate wall (h)", "estimate cpu (h)"]:
        table.add_column(col)
    totals = {}
    for exp in (_scales.COMPLETION, _scales.SENSING):
        points = [p for p in exp.points(False) if p["method"] != "nuclear"]
        for depth in sorted({p["depth"] for p in points}):
            if quick and depth != 2:
                continue
            point = max((p for p in points if p["depth"] == depth), key=lambda p: p["m"])
            problem, _ = _scales.instance(point)
            models, lrs = [], []
            for lr in point["lrs"]:
                for scale in point["scales"]:
                    for r in range(point["repeats"]):
                        models.append(km.deep_factors(r, point["n"], depth, scale))
                        lrs.append(lr)
            w, c = _per_step(problem, models, lrs, "group_rmsprop", steps)
            batches = sum(p["depth"] == depth for p in points)
            need = BATCH_STEPS["group_rmsprop"]
            totals.setdefault(exp.name, [0.0, 0.0])
            totals[exp.name][0] += w * need * batches
            totals[exp.name][1] += c * need * batches
            row = (exp.name, f"m={point['m']}, depth {depth}", str(len(models)), f"{w:.2e}",
                   f"{c:.2e}", str(need), str(batches), f"{w * need * batches / 3600:.1f}",
                   f"{c * need * batches / 3600:.1f}")
            console.print(" | ".join(row))  # as measured: a full run of this takes a while
            table.add_row(*row)
    point = max(_fig3.points(False), key=lambda p: p["depth"])
    problem, _ = _fig3.instance(point)
    model = km.deep_factors(0, point["n"], point["depth"], _fig3.SCALE, "balanced")
    w, c = _per_step(problem, [model], _fig3.LR, "gd", steps)
    need, batches = BATCH_STEPS["gd"], len(_fig3.points(False))
    table.add_row("arora-fig3", f"m={point['m']}, depth {point['depth']}", "1", f"{w:.2e}",
                  f"{c:.2e}", str(need), str(batches), f"{w * need * batches / 3600:.1f}",
                  f"{c * need * batches / 3600:.1f}")
    for name, (w, c) in totals.items():
        table.add_row(f"ESTIMATE: {name}", "all batches", "", "", "", "", "",
                      f"{w / 3600:.1f}", f"{c / 3600:.1f}")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["steps", "nuclear", "full"])
    args = parser.parse_args()
    console = Console()
    console.print(f"{platform.processor() or platform.machine()}, jax {jax.__version__}, "
                  f"{'quick' if args.quick else 'full'}")
    if args.only in (None, "steps"):
        steps_per_second(100, 2000, 2000 if args.quick else 10_000, 20 if args.quick else 100,
                         console)
    if args.only in (None, "nuclear"):
        nuclear(40, 600, console)
        if not args.quick:  # Clarabel's interior point on the 200 x 200 PSD cone: too slow
            nuclear(100, 2000, console, solvers=("SCS",))
    if args.only in (None, "full"):
        full_mode(args.quick, console)


if __name__ == "__main__":
    main()
