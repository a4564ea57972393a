"""`kernelrich.stax.empirical_kernels`: the per-example route (a stax network, one example at
a time: n O backward passes) against the batch route (one vjp of the whole batch per example
and output channel: n^2 O example-backward passes), side by side in one run, float64, CPU.

Cases (each in a fresh subprocess, so that its peak RSS is its own):

1. `sample`: one Monte Carlo sample (`monte_carlo_kernel_fn(..., n_samples=1)`, NNGP and NTK)
   of the arora2019cntk package's CNN (`_setup.network(width)`: two 3x3 SAME convolutions,
   ReLU, global average pooling, Dense(10)) at width 64 on its first `n` training digits
   (`_setup.split(n, 0, seed=0)`, n = 30). Two calls: the first compiles, the second is warm.
   The largest relative difference of the two routes' kernels is printed. For reference, the
   same sample's NTK by `kernelrich.ntk.empirical_ntk(method="jacobian", outputs="mean")`
   (a `jax.vmap` over examples of one-example Jacobians, in blocks).
2. `check`: the arora2019cntk Monte Carlo check's `measure()` (5 widths x 12 initialisations
   of the mixed network on 4 digits), once per route, and its judge's verdict.

The batch route is what `empirical_kernels` does for an `apply_fn` that is not a stax network;
it is forced here by wrapping the stax `apply_fn` in a plain function. Usage:
`PYTHONPATH=src .venv/bin/python bench/bench_stax_empirical.py [--case sample|check|all]
[--n 30] [--width 64]`.
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import sys
import time
from pathlib import Path

ROUTES = ("batch", "per-example")
EMPIRICAL_NTK = "ntk.empirical_ntk"


@functools.cache
def _as_plain(apply_fn):
    """`apply_fn` behind a plain function (so `empirical_kernels` takes the batch route), one
    per network, so that its compiled program is reused as the stax one would be."""
    def plain(params, x, rng=None):
        return apply_fn(params, x, rng=rng)
    return plain


def _route(route: str) -> None:
    """Make `stax.empirical_kernels` take `route` for stax networks (this process only)."""
    from kernelrich import stax
    from kernelrich.stax import _monte_carlo

    if route == "batch":
        original = _monte_carlo.empirical_kernels

        def batch(apply_fn, params, x1, x2=None, get=None, *, rng=None):
            return original(_as_plain(apply_fn), params, x1, x2, get, rng=rng)

        stax.empirical_kernels = _monte_carlo.empirical_kernels = batch


def _timed(call) -> tuple[dict, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = call()
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}, out


def worker(case: str, route: str, n: int, width: int, out: Path) -> dict:
    import jax
    import numpy as np

    _route(route)
    from kernelrich import stax
    from kernelrich.papers.arora2019cntk import _checks, _setup

    if case == "sample":
        X = _setup.split(n, 0, seed=0)[0]
        init_fn, apply_fn, _ = _setup.network(width)
        fn = stax.monte_carlo_kernel_fn(init_fn, apply_fn, jax.random.key(0), 1)
        if route == EMPIRICAL_NTK:  # the sample's parameters, as monte_carlo_kernel_fn's
            from kernelrich.ntk import empirical_ntk

            k_init = jax.random.split(jax.random.fold_in(jax.random.key(0), 0))[0]
            params = init_fn(k_init, X.shape)[1]

            def fn(X):
                ntk = empirical_ntk(apply_fn, params, X, method="jacobian", outputs="mean")
                return stax.Kernels(ntk * np.nan, ntk)
        first, _ = _timed(lambda: fn(X))
        warm, k = _timed(lambda: fn(X))
        path = out / f"sample_{route}_{n}_{width}.npy"
        np.save(path, np.stack([k.nngp, k.ntk]))
        result = {"first": first, "warm": warm, "path": str(path)}
    else:
        measured, evidence = _timed(_checks.measure)
        verdict = _checks.judge(evidence)
        result = {"first": measured, "error": verdict.error, "tolerance": verdict.tolerance,
                  "passed": verdict.passed, "detail": verdict.detail}
    return result | {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run(case: str, route: str, n: int, width: int, out: Path) -> dict:
    from bench_stax_speed import run_worker  # this directory: the script's own

    return run_worker([sys.executable, __file__, "--worker", case, "--route", route, "--n",
                       str(n), "--width", str(width), "--out", str(out)])


def _row(label: str, a: dict, b: dict) -> str:
    return (f"| {label} | {a['wall_s']:.2f} | {a['cpu_s']:.2f} | {b['wall_s']:.2f} | "
            f"{b['cpu_s']:.2f} | {a['wall_s'] / b['wall_s']:.1f}x |")


def report(case: str, results: dict, n: int, width: int) -> None:
    import numpy as np

    old, new = (results[r] for r in ROUTES)
    if any(isinstance(r.get("error"), str) for r in (old, new)):  # a worker that failed
        print(json.dumps(results, indent=1))
        return
    what = (f"one Monte Carlo sample, width-{width} CNN, {n} digits" if case == "sample"
            else "arora2019cntk Monte Carlo check, measure()")
    print(f"\n{what}\n\n| call | batch wall s | batch CPU s | per-example wall s | "
          f"per-example CPU s | wall ratio |\n|---|---|---|---|---|---|")
    print(_row("first (compiles)", old["first"], new["first"]))
    if case == "sample":
        print(_row("second (warm)", old["warm"], new["warm"]))
        a, b = np.load(old["path"]), np.load(new["path"])
        gap = [float(np.abs(a[k] - b[k]).max() / np.abs(a[k]).max()) for k in range(2)]
        print(f"\nlargest |difference| / largest entry: NNGP {gap[0]:.2e}, NTK {gap[1]:.2e}")
        ref = results.get(EMPIRICAL_NTK, {})
        if "first" in ref:
            c = np.load(ref["path"])[1]
            print(f"{EMPIRICAL_NTK} (NTK only): first {ref['first']['wall_s']:.2f} s wall "
                  f"({ref['first']['cpu_s']:.2f} s CPU), warm {ref['warm']['wall_s']:.2f} s "
                  f"({ref['warm']['cpu_s']:.2f} s CPU), peak RSS {ref['peak_rss_mb']:.0f} MB; "
                  f"NTK vs per-example {np.abs(c - b[1]).max() / np.abs(b[1]).max():.2e}")
    else:
        for route in ROUTES:
            r = results[route]
            print(f"\n{route}: error {r['error']:.6g} (tolerance {r['tolerance']}), "
                  f"passed {r['passed']}; {r['detail']}")
    print(f"peak RSS: batch {old['peak_rss_mb']:.0f} MB, per-example {new['peak_rss_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=["sample", "check", "all"], default="all")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--out", default="/tmp/stax_empirical")
    parser.add_argument("--worker")
    parser.add_argument("--route", choices=ROUTES + (EMPIRICAL_NTK,))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.worker:
        print(json.dumps(worker(args.worker, args.route, args.n, args.width, out)))
        return
    for case in ("sample", "check") if args.case == "all" else (args.case,):
        routes = ROUTES + ((EMPIRICAL_NTK,) if case == "sample" else ())
        results = {route: _run(case, route, args.n, args.width, out) for route in routes}
        report(case, results, args.n, args.width)


if __name__ == "__main__":
    main()
