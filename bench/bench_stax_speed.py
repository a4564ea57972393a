"""Speed and memory of kernelrich.stax against neural-tangents 0.6.5, float64, same machine.

Cases (each measurement in a fresh subprocess, so that its peak RSS is its own):

1. `myrtle`: CNN-GP and CNTK (NNGP and NTK in one call) of the Myrtle-5 ReLU network with
   global average pooling (bench_stax_agreement.myrtle) on scikit-learn's 8x8 digits,
   an n x n Gram (default n = 1000), x2 = None. neural-tangents cannot hold this Gram's
   covariances at once ((n, n, 8, 8, 8, 8) float64 = 32 GB at n = 1000), so it runs under
   `nt.batch` with each of `--nt-batch` sizes; kernelrich under each of `--budgets` (bytes).
   `--side 16` (24, 32): the same digits upsampled to 16x16 (nearest neighbour), where the
   covariances, not the runtime, set the peak memory.
2. `dense`: the infinite-width ReLU NTK of depth 4 on 2000 x 2000 inputs in R^10, as
   bench/bench_ntk.py (kernelrich.stax.serial and kernelrich.ntk.infinite_ntk against
   neural-tangents' jitted kernel_fn).

Time: after a warm-up call (16 inputs for `myrtle`, which compiles; the full call for
`dense`), one call on the full Gram (`dense`: the best of three), wall and CPU time, the
result converted to NumPy inside the timing. Peak: the subprocess's peak resident memory
(imports and compilation included).
Flops: XLA's cost analysis of kernelrich's compiled pair pass for one block, times the number
of blocks the timed call ran (counted as they run), against the measured time and the
machine's float64 matmul rate.

neural-tangents' environment: see bench/bench_stax_agreement.py. Usage:
`.venv/bin/python bench/bench_stax_speed.py [--case myrtle|dense] [--n 1000] [--quick]
[--side 16]`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

NT_PYTHON = "/tmp/ntk/venv/bin/python"  # as bench_stax_agreement.py; or --nt-python
ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _digits(n: int, side: int = 8):
    """The first n of scikit-learn's 8x8 digits, scaled to [0, 1], as (n, side, side, 1):
    side = 8 is the data set itself, a multiple of 8 repeats each pixel (side / 8) x (side /
    8) times (nearest-neighbour upsampling: larger images at the same content)."""
    import numpy as np

    path = Path(f"/tmp/stax_bench_digits_{side}.npy")
    if not path.exists():
        from sklearn.datasets import load_digits

        images = load_digits().data.reshape(-1, 8, 8) / 16.0
        factor = side // 8
        images = np.repeat(np.repeat(images, factor, axis=1), factor, axis=2)
        np.save(path, images[..., None])
    return np.load(path)[:n]


def _timed(call, warm, repeats: int = 1):
    """Wall and CPU time of `call()` (the best of `repeats`, after `warm()`), its result
    converted to NumPy inside the timing (a jitted call returns before it has finished)."""
    import numpy as np

    warm()
    best = None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        out = call()
        out = [np.asarray(k) for k in (out if isinstance(out, tuple) else (out,))]
        times = (time.perf_counter() - wall, time.process_time() - cpu)
        best = times if best is None else (min(best[0], times[0]), min(best[1], times[1]))
    return {"wall_s": best[0], "cpu_s": best[1], "peak_rss_mb": _rss_mb()}, out


def worker(which: str, case: str, n: int, setting: int, out: Path, side: int = 8) -> dict:
    import numpy as np

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_stax_agreement import myrtle

    if which == "nt":
        import jax

        jax.config.update("jax_enable_x64", True)
        import neural_tangents as nt
        from neural_tangents import stax
    else:
        import kernelrich  # noqa: F401
        from kernelrich import stax
    if case == "myrtle":
        X = _digits(n, side)
        kernel_fn = myrtle(stax)[2]
        if which == "nt":
            fn = nt.batch(kernel_fn, batch_size=setting, store_on_device=False)
            small = nt.batch(kernel_fn, batch_size=min(setting, 8), store_on_device=False)

            def call():
                return fn(X, None, ("nngp", "ntk"))

            def warm():
                return small(X[:16], None, ("nngp", "ntk"))
        else:
            blocks = _PairBlocks()

            def call():
                with blocks:  # the Gram's pair blocks as they run (not the warm-up's)
                    return kernel_fn(X, get=("nngp", "ntk"), memory_bytes=setting)

            def warm():
                return kernel_fn(X[:16], get=("nngp", "ntk"), memory_bytes=setting)
    else:
        X = np.random.default_rng(0).standard_normal((n, 10))
        if which == "nt":
            import jax

            layers = []
            for _ in range(3):
                layers += [stax.Dense(512, W_std=1.0, b_std=0.1), stax.Relu()]
            kernel_fn = jax.jit(stax.serial(*layers, stax.Dense(1, 1.0, 0.1))[2],
                                static_argnames="get")
        elif which == "ntk":
            from kernelrich.ntk import infinite_ntk

            def kernel_fn(x, _, get):
                return infinite_ntk(x, depth=4, bias_std=0.1)
        else:
            layers = []
            for _ in range(3):
                layers += [stax.Dense(512, W_std=1.0, b_std=0.1), stax.Relu()]
            kernel_fn = stax.serial(*layers, stax.Dense(1, 1.0, 0.1))[2]

        def call():
            return kernel_fn(X, None, "ntk")

        def warm():
            return kernel_fn(X, None, "ntk")
    result, arrays = _timed(call, warm, repeats=1 if case == "myrtle" else 3)
    path = out / f"{which}_{case}_{n}_{setting}_{side}.npy"
    np.save(path, np.stack(arrays))
    if which == "ours" and case == "myrtle":
        result |= blocks.flops()
    return result | {"path": str(path)}


class _PairBlocks:
    """While open, counts kernelrich.stax's compiled pair-pass calls (one per block of the
    Gram) and keeps the first one's arguments; `flops()` is then XLA's cost analysis of that
    block times the count. The wrapper costs one Python call per block (microseconds, against
    milliseconds per block)."""

    def __enter__(self):
        from kernelrich.stax import _kernel_fn

        self.count, self.first = 0, None
        self._run, self._jit = _kernel_fn._Run, _kernel_fn._Run._jit

        def recording(run, kind):
            fn = self._jit(run, kind)
            if kind != "pair":
                return fn

            def call(*args):
                self.count += 1
                if self.first is None:
                    self.first = (fn, args)
                return fn(*args)
            return call

        self._run._jit = recording
        return self

    def __exit__(self, *exc) -> None:
        self._run._jit = self._jit

    def flops(self) -> dict:
        if self.first is None:
            return {}
        fn, args = self.first
        cost = fn.lower(*args).compile().cost_analysis()
        cost = cost[0] if isinstance(cost, list) else cost
        return {"flops": float(cost.get("flops", float("nan"))) * self.count,
                "transcendentals": float(cost.get("transcendentals", float("nan"))) * self.count,
                "blocks": self.count, "block_rows": int(args[1][0].shape[0])}


def machine_gflops() -> float:
    """float64 matmul rate of this process (numpy / BLAS), GFlop/s."""
    import numpy as np

    A = np.random.default_rng(0).standard_normal((1500, 1500))
    A @ A
    start = time.perf_counter()
    for _ in range(3):
        A @ A
    return 3 * 2 * 1500 ** 3 / (time.perf_counter() - start) / 1e9


def _run(python, which, case, n, setting, out, side: int = 8) -> dict:
    return run_worker([python, __file__, "--worker", which, "--case", case, "--n", str(n),
                       "--setting", str(setting), "--out", str(out), "--side", str(side)])


def run_worker(cmd: list[str]) -> dict:
    """Run a benchmark worker in a fresh process (its own peak RSS; this checkout's sources,
    two BLAS threads) and return the JSON dict on its last line of output, or
    {"error": ...} with the last line of its stderr."""
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin",
                               "OPENBLAS_NUM_THREADS": "2", "HOME": str(Path.home())})
    if proc.returncode != 0:
        tail = (proc.stderr or "failed").strip().splitlines()[-1][:160]
        return {"error": f"exit {proc.returncode}: {tail}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=["myrtle", "dense"], default="myrtle")
    parser.add_argument("--n", type=int)
    parser.add_argument("--quick", action="store_true", help="n = 200 (myrtle), 500 (dense)")
    parser.add_argument("--budgets", default=f"{2**23},{2**25},{2**27}")
    parser.add_argument("--nt-batch", default="25,50,100")
    parser.add_argument("--nt-python", default=NT_PYTHON)
    parser.add_argument("--out", default="/tmp/stax_speed")
    parser.add_argument("--worker")
    parser.add_argument("--setting", type=int, default=0)
    parser.add_argument("--side", type=int, default=8, choices=[8, 16, 24, 32],
                        help="myrtle: image side (the 8x8 digits, upsampled for > 8)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    default_n = {"myrtle": (1000, 200), "dense": (2000, 500)}[args.case][args.quick]
    n = args.n or default_n
    if args.worker:
        print(json.dumps(worker(args.worker, args.case, n, args.setting, out, args.side)))
        return
    rows = []
    if args.case == "myrtle":
        _digits(n, args.side)
        for budget in [int(b) for b in args.budgets.split(",")]:
            rows.append((f"kernelrich, memory_bytes={budget / 2**20:g} MiB",
                         _run(sys.executable, "ours", "myrtle", n, budget, out, args.side)))
        for batch in [int(b) for b in args.nt_batch.split(",")]:
            rows.append((f"neural-tangents, nt.batch({batch})",
                         _run(args.nt_python, "nt", "myrtle", n, batch, out, args.side)))
    else:
        for which, python in [("ours", sys.executable), ("ntk", sys.executable),
                              ("nt", args.nt_python)]:
            label = {"ours": "kernelrich.stax.serial", "ntk": "kernelrich.ntk.infinite_ntk",
                     "nt": "neural-tangents (jit)"}[which]
            rows.append((label, _run(python, which, "dense", n, 0, out)))
    _report(rows, n, args.case if args.side == 8 else f"{args.case}, {args.side}x{args.side}")


def _report(rows, n: int, case: str) -> None:
    import numpy as np

    gflops = machine_gflops()
    print(f"\n{case}, n = {n}, float64; machine float64 matmul: {gflops:.1f} GFlop/s\n")
    print("| implementation | wall (s) | CPU (s) | peak RSS (MB) | GFlop/s (XLA count) |")
    print("|---|---:|---:|---:|---:|")
    ref = None
    for label, r in rows:
        if "error" in r:
            print(f"| {label} | failed: {r['error']} | | | |")
            continue
        rate = f"{r['flops'] / r['cpu_s'] / 1e9:.2f}" if "flops" in r else ""
        print(f"| {label} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_rss_mb']:.0f} | "
              f"{rate} |")
        arr = np.load(r["path"])
        if ref is None:
            ref = arr
        else:
            diff = np.abs(arr - ref).max() / np.abs(ref).max()
            print(f"|  max relative difference to the first row: {diff:.1e} | | | | |")
    flops = [r for _, r in rows if "flops" in r]
    if flops:
        r = flops[0]
        print(f"\nXLA count for the first row: {r['flops']:.3e} flops and "
              f"{r['transcendentals']:.3e} transcendentals in {r['blocks']} blocks of "
              f"{r['block_rows']} rows.")


if __name__ == "__main__":
    main()
