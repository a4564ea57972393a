"""Experiments for the executor tests (importable by spawned and Dask workers, since pytest puts
tests/ on sys.path and spawn passes sys.path on), a sweep driver for subprocess tests, and the
unit tests of chunked / batched point computation and of the executors' arguments.

Driver: `python tests/test_executors_points.py STORE {serial,process,dask} [ADDR] [reversed]`
runs the `_toy_experiment.KILL` sweep into STORE.
"""

from __future__ import annotations

import dataclasses
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import _toy_experiment as toy
from kernelrich.experiments import (
    DaskExecutor,
    Experiment,
    ProcessExecutor,
    SerialExecutor,
    Store,
    compute_chunk,
    grid,
    run_experiment,
)

# ---- a small JAX sweep: gradient descent on a depth-2 diagonal network, beta = u^2 - v^2 ----

_N, _D, _STEPS = 8, 16, 100


def _problem(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(_N, _D))
    return X, X[:, :3] @ rng.normal(size=3)


def _diag_gd(alpha, X, y):
    def loss(w):
        r = X @ (w[0] ** 2 - w[1] ** 2) - y
        return 0.5 * jnp.mean(r * r)

    def step(w, _):
        return w - 0.05 * jax.grad(loss)(w), None

    w, _ = jax.lax.scan(step, alpha * jnp.ones((2, _D)), None, length=_STEPS)
    return w[0] ** 2 - w[1] ** 2, loss(w)


_diag_gd_jit = jax.jit(_diag_gd)
_diag_gd_vmap = jax.jit(jax.vmap(_diag_gd))


def det_points(quick: bool) -> list[dict]:
    return grid(alpha=[0.1, 0.5, 1.0], seed=[0, 1, 2, 3])


def det_compute(config: dict) -> dict:
    beta, value = _diag_gd_jit(config["alpha"], *_problem(config["seed"]))
    return {"beta": np.asarray(beta).tolist(), "loss": float(value)}


def det_batch(configs: list[dict]) -> list[dict]:
    problems = [_problem(c["seed"]) for c in configs]
    alphas = jnp.array([c["alpha"] for c in configs])
    Xs, ys = (jnp.stack(a) for a in zip(*problems, strict=True))
    betas, values = _diag_gd_vmap(alphas, Xs, ys)
    pairs = zip(np.asarray(betas), np.asarray(values), strict=True)
    return [{"beta": b.tolist(), "loss": float(v)} for b, v in pairs]


DET = Experiment("det", "test", "Determinism", "Same seed, same bits.", det_points, det_compute,
                 batch_compute=det_batch)


def reversed_kill_points(quick: bool) -> list[dict]:
    return list(reversed(toy.kill_points(quick)))


def broken_batch(configs: list[dict]) -> list[dict]:
    raise RuntimeError("batch broke")


# ---- unit tests ----


def test_batch_matches_per_point():
    configs = det_points(True)[:5]
    batched = compute_chunk(det_compute, det_batch, configs)
    single = compute_chunk(det_compute, None, configs)
    assert all(o.ok and o.batched for o in batched) and not any(o.batched for o in single)
    for b, s in zip(batched, single, strict=True):
        np.testing.assert_allclose(b.result["beta"], s.result["beta"], rtol=0, atol=1e-12)


def test_broken_batch_falls_back_point_by_point(monkeypatch):
    monkeypatch.setenv("TOY_FAIL_A", "2.0")
    configs = toy.points(True)[:8]
    outcomes = compute_chunk(toy.compute, broken_batch, configs)
    assert [o.ok for o in outcomes] == [c["a"] != 2.0 for c in configs]
    assert not any(o.batched for o in outcomes)
    assert all("toy failure" in o.traceback for o in outcomes if not o.ok)
    assert all(o.env and "jax_device" in o.env for o in outcomes)


def test_chunked_serial_run_stores_every_point(tmp_path):
    class Chunked(SerialExecutor):
        chunk_size = 5

    store = Store(tmp_path)
    summary = run_experiment(DET, store=store, executor=Chunked(), progress=False)
    assert summary.computed == 12 and not summary.failed
    keys = {Store.key("det", 1, c) for c in det_points(True)}
    assert set(store.keys("det")) == keys
    batched = [r["provenance"]["batched"] for r in store.records("det")]
    assert batched == [True] * 12  # chunks of 5, 5 and 2 points, each one vmap
    assert store.verify({"det": 1}) == []


@pytest.mark.parametrize(
    "make",
    [
        lambda: ProcessExecutor(0),
        lambda: ProcessExecutor(2, chunk_size=0),
        lambda: DaskExecutor(workers=-1),
        lambda: DaskExecutor(scheduler="tcp://x:1", cluster="c.yaml"),
        lambda: DaskExecutor(cluster="/nonexistent/slurm.yaml"),
    ],
)
def test_executor_arguments(make):
    with pytest.raises(ValueError, match="workers|chunk_size|scheduler|cluster"):
        make()


def _drive(root: str, kind: str, address: str | None, order: str) -> None:
    exp = toy.KILL
    if order == "reversed":
        exp = dataclasses.replace(exp, points=reversed_kill_points)
    executor = {
        "serial": lambda: SerialExecutor(),
        "process": lambda: ProcessExecutor(2),
        "dask": lambda: DaskExecutor(scheduler=address),
    }[kind]()
    run_experiment(exp, quick=True, store=Store(root), executor=executor, progress=False)


if __name__ == "__main__":
    args = sys.argv[1:] + [None] * (4 - len(sys.argv[1:]))
    _drive(args[0], args[1], args[2] if args[2] not in (None, "-") else None, args[3] or "")
