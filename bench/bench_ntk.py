"""Benchmark: kernelrich.ntk against neural-tangents 0.6.5, float64, one run, same machine.

neural-tangents does not import on JAX >= 0.6, so it runs in its own virtual environment
(default /tmp/ntk/venv; its setup is in docs/benchmarks.md, neural tangent kernels) and each
measurement runs in a fresh subprocess, so that its peak memory (ru_maxrss) is its own. Cases:

1. infinite-width ReLU NTK, depth 4, 2000 x 2000 Gram (`X2=None`), inputs in R^10;
2. empirical NTK of an MLP 32 -> 1024 -> 1024 -> 1 (depth 3, NTK parametrisation,
   beta = 0.1), 512 inputs, scalar output, same weights in both libraries; neural-tangents is
   run with each `NtkImplementation` (batched with `nt.batch` so its Jacobians fit in memory).

Time: best of `--repeats` calls after one warm-up call (compilation excluded; the warm-up
time is reported too). Usage: `.venv/bin/python bench/bench_ntk.py [--quick] [--only CASE]`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

SIZES = {"full": {"n_inf": 2000, "width": 1024, "n_emp": 512},
         "quick": {"n_inf": 500, "width": 256, "n_emp": 128}}
NT_PYTHON = "/tmp/ntk/venv/bin/python"


def _data(size: dict):
    import numpy as np

    rng = np.random.default_rng(0)
    X_inf = rng.standard_normal((size["n_inf"], 10))
    X_emp = rng.standard_normal((size["n_emp"], 32))
    n = size["width"]
    shapes = [(32, n), (n, n), (n, 1)]
    weights = [(rng.standard_normal(s), rng.standard_normal(s[1])) for s in shapes]
    return X_inf, X_emp, weights


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, repeats: int) -> dict:
    import numpy as np

    base = _rss_mb()
    start = time.perf_counter()
    out = np.asarray(fn())
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = np.asarray(fn())
        times.append(time.perf_counter() - start)
    return {"first_s": first, "best_s": min(times), "peak_rss_mb": _rss_mb(),
            "rss_before_mb": base, "result": out}


def worker_ours(case: str, size: dict, repeats: int, impl: str) -> dict:
    import equinox as eqx
    import jax
    import jax.numpy as jnp

    import kernelrich  # noqa: F401  (float64)
    from kernelrich.ntk import MLP, apply_mlp, empirical_ntk, infinite_ntk

    X_inf, X_emp, weights = _data(size)
    if case == "infinite":
        return _timed(lambda: infinite_ntk(X_inf, depth=4, bias_std=0.1), repeats)
    model = MLP((32, size["width"], size["width"], 1), key=jax.random.key(0), beta=0.1)
    model = eqx.tree_at(lambda m: (m.weights, m.biases), model,
                        ([jnp.asarray(w.T) for w, _ in weights],
                         [jnp.asarray(b) for _, b in weights]))
    return _timed(lambda: empirical_ntk(apply_mlp, model, X_emp, method=impl), repeats)


def worker_nt(case: str, size: dict, repeats: int, impl: str) -> dict:
    import jax

    jax.config.update("jax_enable_x64", True)
    import neural_tangents as nt
    from neural_tangents import stax

    X_inf, X_emp, weights = _data(size)
    if case == "infinite":
        layers = []
        for _ in range(3):
            layers += [stax.Dense(512, W_std=1.0, b_std=0.1), stax.Relu()]
        _, _, kernel_fn = stax.serial(*layers, stax.Dense(1, W_std=1.0, b_std=0.1))
        kernel_fn = jax.jit(kernel_fn, static_argnames="get")
        return _timed(lambda: kernel_fn(X_inf, None, "ntk"), repeats)
    n = size["width"]
    _, apply_fn, _ = stax.serial(stax.Dense(n, W_std=1.0, b_std=0.1), stax.Relu(),
                                 stax.Dense(n, W_std=1.0, b_std=0.1), stax.Relu(),
                                 stax.Dense(1, W_std=1.0, b_std=0.1))
    params = [weights[0], (), weights[1], (), weights[2]]
    implementation = getattr(nt.NtkImplementation, impl)
    fn = nt.empirical_ntk_fn(apply_fn, trace_axes=(-1,), vmap_axes=0,
                             implementation=implementation)
    batched = nt.batch(jax.jit(fn), batch_size=64)
    return _timed(lambda: batched(X_emp, None, params), repeats)


def _run(python: str, case: str, impl: str, mode: str, repeats: int, out: Path) -> dict:
    cmd = [python, __file__, "--worker", "nt" if python == NT_PYTHON else "ours", "--case", case,
           "--impl", impl, "--mode", mode, "--repeats", str(repeats), "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--nt-python", default=NT_PYTHON)
    parser.add_argument("--only", choices=["infinite", "empirical"], help="one case only")
    parser.add_argument("--out", default="/tmp/ntk/bench")
    parser.add_argument("--worker")
    parser.add_argument("--case")
    parser.add_argument("--impl", default="auto")
    parser.add_argument("--mode", default="full")
    args = parser.parse_args()
    if args.worker:
        import numpy as np

        fn = worker_nt if args.worker == "nt" else worker_ours
        res = fn(args.case, SIZES[args.mode], args.repeats, args.impl)
        path = Path(args.out) / f"{args.worker}_{args.case}_{args.impl}.npy"
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, res.pop("result"))
        print(json.dumps(res | {"path": str(path)}))
        return
    _compare(args)


def _compare(args) -> None:
    import numpy as np

    global NT_PYTHON
    NT_PYTHON = args.nt_python
    mode, out = "quick" if args.quick else "full", Path(args.out)
    size = SIZES[mode]
    have_nt = Path(NT_PYTHON).exists()
    rows = []
    cases = [("infinite", f"infinite ReLU NTK, depth 4, {size['n_inf']}^2 Gram", ["auto"],
              ["auto"]),
             ("empirical", f"empirical NTK, MLP width {size['width']}, depth 3, "
              f"{size['n_emp']} inputs", ["auto"],
              ["JACOBIAN_CONTRACTION", "NTK_VECTOR_PRODUCTS", "STRUCTURED_DERIVATIVES"])]
    for case, title, ours_impls, nt_impls in cases:
        if args.only and case != args.only:
            continue
        ours = _run(sys.executable, case, ours_impls[0], mode, args.repeats, out)
        base = {i: _run(NT_PYTHON, case, i, mode, args.repeats, out) if have_nt else
                {"error": "neural-tangents venv not found"} for i in nt_impls}
        working = {i: r for i, r in base.items() if "error" not in r}
        best = min(working, key=lambda i: working[i]["best_s"]) if working else None
        agree = "n/a"
        if best and "error" not in ours:
            a, b = np.load(ours["path"]), np.load(working[best]["path"])
            agree = _agreement(case, a, b, size)
        rows.append((title, ours, base, best, agree))
    _print(rows, mode)


def _exact_relu_diagonal(X, depth: int = 4, beta2: float = 0.01):
    """Theta(x, x) of the ReLU recursion: theta = 0, so Sigmadot = 1/2 and E = Sigma / 2."""
    sigma = (X * X).sum(axis=1) / X.shape[1] + beta2
    theta = sigma
    for _ in range(depth - 1):
        sigma = sigma / 2 + beta2
        theta = theta / 2 + sigma
    return theta


def _agreement(case: str, a, b, size: dict) -> str:
    import numpy as np

    scale = np.abs(b).max()
    if case != "infinite":
        return f"max relative difference {np.abs(a - b).max() / scale:.2e}"
    off = ~np.eye(len(a), dtype=bool)
    exact = _exact_relu_diagonal(_data(size)[0])
    return (f"off-diagonal max rel. difference {np.abs(a - b)[off].max() / scale:.2e}; "
            f"diagonal vs exact: ours {np.abs(np.diag(a) - exact).max() / scale:.2e}, "
            f"nt {np.abs(np.diag(b) - exact).max() / scale:.2e}")


def _print(rows, mode: str) -> None:
    print(f"\nkernelrich.ntk vs neural-tangents 0.6.5 ({mode}, float64, best of repeats)\n")
    print(f"{'case':58s} {'impl':24s} {'time s':>8s} {'1st s':>7s} {'peak MB':>8s} {'ratio':>6s}")
    for title, ours, base, best, agree in rows:
        ref = base[best]["best_s"] if best else float("nan")
        for name, r in [("kernelrich", ours)] + [(f"nt {i.lower()}", v) for i, v in
                                                   base.items()]:
            if "error" in r:
                print(f"{title:58s} {name:24s} failed: {r['error'][:90]}")
                continue
            ratio = ref / r["best_s"]
            print(f"{title:58s} {name[:24]:24s} {r['best_s']:8.3f} {r['first_s']:7.2f} "
                  f"{r['peak_rss_mb']:8.0f} {ratio:6.2f}")
        print(f"{'':58s} vs nt {best}: {agree}\n")
    print("ratio = (neural-tangents' fastest working time) / (this row's time); > 1 is faster.")


if __name__ == "__main__":
    main()
