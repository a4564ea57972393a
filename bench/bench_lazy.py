"""Benchmark: one trial of the test-loss-vs-tau sweep of kernelrich.papers.chizat2019
(lazy-tau: every tau of one trial's data and init) as one vmapped, compiled program against a
per-run Python loop of the same compiled gradient descent; and Theorem 2.2's flows likewise.

Both routes call `kernelrich.lazy` on the same data and inits (the network and its
linearisation, test loss recorded); the loop calls it once per tau with one init, the sweep
once with every tau's init batched. Compilation is excluded from both (one warm-up call each,
timed separately). Wall time and CPU time (`time.process_time`, all threads) are both
reported: the 2-core machine is shared, so wall times are noisy.

`--quick`: one quick-mode trial (17 taus, d = 20, m = 20, n = 100, 2500 steps).
Default: the same, then one full-mode trial (33 taus, d = 100, m = 50, n = 1000) timed over
`--full-steps` steps and extrapolated to its 10,000 steps (labelled as such), for the sweep
and for a few runs of the loop; the full figure has 10 trials.

Usage: `.venv/bin/python bench/bench_lazy.py [--quick] [--full-steps 10] [--loop-runs 3]`.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import jax  # noqa: E402
import numpy as np  # noqa: E402

from kernelrich import lazy  # noqa: E402
from kernelrich.papers.chizat2019 import _tau  # noqa: E402
from kernelrich.papers.chizat2019._common import init_key, teacher_student  # noqa: E402


def _timed(fn):
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    jax.block_until_ready(jax.tree_util.tree_leaves(out.params))
    return out, time.perf_counter() - t, time.process_time() - c


def setup(config: dict, steps: int):
    """One trial of lazy-tau (its data and init; every tau of it): the sweep batches the taus'
    inits tau w0, the loop runs one tau per call."""
    X, y, Xt, yt, _ = teacher_student(config["seed"], config["d"], config["m0"], config["n"],
                                      config["n"])
    w0 = lazy.two_layer_gaussian_init(init_key(config["seed"]), config["m"], config["d"])
    taus = _tau.taus_of(config)
    inits = jax.tree_util.tree_map(lambda v: taus.reshape((-1,) + (1,) * v.ndim) * v, w0)
    step = _tau.step_of(taus)
    # 10 records over a full run; a short timing run records only at its end, so that its
    # per-step cost is GD's
    every = steps // 10 if steps == config["steps"] else steps
    kw = {"steps": steps, "record_every": every, "X_test": Xt, "y_test": yt}

    def sweep():
        return lazy.lazy_descent(lazy.two_layer, inits, X, y, np.ones((len(taus), 1)),
                                 step=step[:, None], batched=True, **kw)

    def one(b, i):
        p = jax.tree_util.tree_map(lambda v: v[b], inits)
        return lazy.lazy_descent(lazy.two_layer, p, X, y, 1.0, step=step[b], **kw)

    return sweep, one, [(b, 0) for b in range(len(taus))]


def setup_flow(trials: int, count: int):
    """Theorem 2.2's sweep (lazy-thm22, frozen-copy tanh two-layer, n = 10, d = 5, m = 20,
    horizon 5, rtol 1e-10) over `count` alphas in [10^0.5, 10^2] and `trials` inits."""
    from kernelrich.papers.chizat2019 import _thm22

    config = next(c for c in _thm22.points(True) if c["model"] == "two-layer frozen copy")
    apply, w0, X, y = _thm22.problem(config)
    inits = [jax.tree_util.tree_map(lambda v, k=k: v * (1.0 + 0.1 * k), w0)
             for k in range(trials)]
    stacked = jax.tree_util.tree_map(lambda *v: jax.numpy.stack(v), *inits)
    alphas = np.logspace(0.5, 2.0, count)
    times = np.linspace(0.0, 5.0, 21)
    kw = {"rtol": 1e-10, "atol": 1e-13}

    def sweep():
        return lazy.lazy_flow(apply, stacked, X, y, alphas, times, batched=True, **kw)

    def one(b, i):
        return lazy.lazy_flow(apply, inits[b], X, y, alphas[i], times, **kw)

    return sweep, one, [(b, i) for b in range(trials) for i in range(count)]


def bench(config: dict, steps: int, loop_runs: int | None, label: str, routes=None) -> None:
    sweep, one, runs = routes if routes is not None else setup(config, steps)
    _, w_c, c_c = _timed(sweep)  # warm-up: compile + run
    res, w_s, c_s = _timed(sweep)
    _, w_c1, c_c1 = _timed(lambda: one(*runs[0]))
    chosen = runs if loop_runs is None else runs[:: max(1, len(runs) // loop_runs)][:loop_runs]
    w_l = c_l = 0.0
    worst = 0.0
    for b, i in chosen:
        r, w, c = _timed(lambda b=b, i=i: one(b, i))
        w_l, c_l = w_l + w, c_l + c
        worst = max(worst, abs(float(r.loss[0, -1]) - float(res.loss[b, i, -1])))
    scale = len(runs) / len(chosen)
    w_l, c_l = w_l * scale, c_l * scale
    extrap = "" if len(chosen) == len(runs) else f" (extrapolated from {len(chosen)} runs)"
    print(f"\n## {label}: {len(runs)} runs")
    print("| route | wall s | cpu s | first call (compile + run) wall / cpu s |")
    print("|---|---|---|---|")
    print(f"| per-run loop{extrap} | {w_l:.2f} | {c_l:.2f} | {w_c1:.1f} / {c_c1:.1f} |")
    print(f"| one vmapped program | {w_s:.2f} | {c_s:.2f} | {w_c:.1f} / {c_c:.1f} |")
    print(f"| speed-up | **{w_l / w_s:.1f}x** wall | **{c_l / c_s:.1f}x** cpu | |")
    print(f"max |final training loss difference| loop vs sweep: {worst:.1e}")
    if config is not None and steps != config["steps"]:
        f = config["steps"] / steps
        print(f"extrapolated to the full {config['steps']} steps (x{f:g}, measured per-step "
              f"cost): sweep {w_s * f:.0f} s wall / {c_s * f:.0f} s cpu; loop {w_l * f:.0f} s "
              f"wall / {c_l * f:.0f} s cpu")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full-steps", type=int, default=10)
    parser.add_argument("--loop-runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores, jax "
          f"{jax.__version__}, backend {jax.default_backend()}")
    bench(None, 0, None, "lazy-thm22 flows (diffrax Tsit5, rtol 1e-10): 4 inits x 7 alphas",
          routes=setup_flow(4, 7))
    quick = _tau.points(True)[0]
    n_tau = len(_tau.taus_of(quick))
    bench(quick, quick["steps"], None, f"lazy-tau GD, one quick-mode trial: {n_tau} taus x "
          f"{quick['steps']} steps, d={quick['d']}, m={quick['m']}, n={quick['n']}")
    if not args.quick:
        full = _tau.points(False)[0]
        n_tau = len(_tau.taus_of(full))
        bench(full, args.full_steps, args.loop_runs, f"lazy-tau GD, one full-mode trial: "
              f"{n_tau} taus, d={full['d']}, m={full['m']}, n={full['n']}, timed on "
              f"{args.full_steps} steps")

if __name__ == "__main__":
    main()
