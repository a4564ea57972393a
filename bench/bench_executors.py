"""Benchmark: a 2,000-point diagonal-network sweep through each executor.

Each point trains a depth-2 diagonal network beta = u^2 - v^2 (d=20, N=10, 50 GD steps, from
alpha * 1) on a Gaussian design drawn from its seed: small work, so that the per-task overhead
of each executor shows. Grid: 20 alphas x 100 seeds. Every run writes a fresh store (one
fsync'd JSON file per point, as in real use) under /tmp/sweeps/bench/.

    .venv/bin/python bench/bench_executors.py [--quick] [--workers 2]

Prints, per executor: wall time, driver process time, points/s, microseconds per point, the
overhead per point relative to the serial run, and the Dask LocalCluster start-up time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from kernelrich.experiments import (  # noqa: E402
    DaskExecutor,
    Experiment,
    ProcessExecutor,
    SerialExecutor,
    Store,
    grid,
    run_experiment,
)

N, D, STEPS = 10, 20, 50
ROOT = Path("/tmp/sweeps/bench")


def _design(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D))
    return X, X[:, :3] @ rng.normal(size=3)


def _train(alpha, X, y):
    def loss(w):
        r = X @ (w[0] ** 2 - w[1] ** 2) - y
        return 0.5 * jnp.mean(r * r)

    def step(w, _):
        return w - 0.05 * jax.grad(loss)(w), None

    w, _ = jax.lax.scan(step, alpha * jnp.ones((2, D)), None, length=STEPS)
    return w[0] ** 2 - w[1] ** 2, loss(w)


_one = jax.jit(_train)
_many = jax.jit(jax.vmap(_train))


def compute(config: dict) -> dict:
    beta, value = _one(config["alpha"], *_design(config["seed"]))
    return {"l1": float(jnp.abs(beta).sum()), "loss": float(value)}


def batch_compute(configs: list[dict]) -> list[dict]:
    Xs, ys = zip(*(_design(c["seed"]) for c in configs), strict=True)
    alphas = jnp.array([c["alpha"] for c in configs])
    betas, values = _many(alphas, jnp.stack(Xs), jnp.stack(ys))
    l1 = np.abs(np.asarray(betas)).sum(axis=1)
    return [{"l1": float(a), "loss": float(v)} for a, v in zip(l1, np.asarray(values), strict=True)]


def experiment(n_seeds: int) -> Experiment:
    def points(quick: bool) -> list[dict]:
        return grid(alpha=np.geomspace(0.01, 10, 20).tolist(), seed=list(range(n_seeds)))

    return Experiment("bench-diag", "bench", "Diagonal sweep", "Overhead.", points, compute,
                      batch_compute=batch_compute)


def timed(exp: Experiment, name: str, executor) -> dict:
    root = ROOT / name
    shutil.rmtree(root, ignore_errors=True)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = run_experiment(exp, store=Store(root), executor=executor, progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert summary.computed == len(exp.points(True)) and not summary.failed, summary.failed[:1]
    return {"name": name, "wall": wall, "cpu": cpu, "n": summary.computed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="200 points instead of 2,000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=50, help="points per task when batched")
    args = parser.parse_args()
    # Workers must import compute by reference: functions of __main__ are pickled by value and
    # their jit caches are lost on every task (one compilation per task).
    import bench_executors

    exp = bench_executors.experiment(10 if args.quick else 100)
    w, c = args.workers, args.chunk
    rows = [
        timed(exp, "serial", SerialExecutor()),
        timed(exp, f"serial, chunk {c} (vmap)", _Chunked(c)),
        timed(exp, f"process x{w}", ProcessExecutor(w)),
        timed(exp, f"process x{w}, chunk {c} (vmap)", ProcessExecutor(w, chunk_size=c)),
    ]
    start = time.perf_counter()
    with DaskExecutor(w) as dask:
        startup = time.perf_counter() - start
        rows.append(timed(exp, f"dask local x{w}", dask))
        dask.chunk_size = c
        rows.append(timed(exp, f"dask local x{w}, chunk {c} (vmap)", dask))
    _print(rows, startup, jax.devices()[0])


class _Chunked(SerialExecutor):
    def __init__(self, chunk_size: int):
        self.chunk_size = chunk_size


def _print(rows: list[dict], startup: float, device) -> None:
    base = rows[0]["wall"] / rows[0]["n"]
    print(f"device {device}, {os.cpu_count()} CPUs, {rows[0]['n']} points")
    print(f"{'executor':34s} {'wall s':>8s} {'driver cpu s':>12s} {'points/s':>9s} "
          f"{'us/point':>9s} {'overhead us/pt vs serial':>25s} {'speed-up':>8s}")
    for r in rows:
        per = r["wall"] / r["n"]
        print(f"{r['name']:34s} {r['wall']:8.2f} {r['cpu']:12.2f} {r['n'] / r['wall']:9.0f} "
              f"{1e6 * per:9.0f} {1e6 * (per - base):25.0f} {base / per:8.2f}")
    print(f"Dask LocalCluster start-up ({rows[-1]['name'].split(',')[0][-2:]} workers): "
          f"{startup:.2f} s (not in the rows above)")


if __name__ == "__main__":
    main()
