"""A fast start: `kernelrich reproduce --quick` twice on a fresh clone, the second run with
JAX's persistent compilation cache filled by the first (and a fresh result store, so that
both runs compute every point), with the share of each run spent compiling.

Compilation time is the sum of JAX's own compile events (tracing to a jaxpr, lowering to
MLIR, the XLA backend compile), read with `jax.monitoring`. The baseline is the first run
(empty cache, as every run was before the cache); the target is second <= 40% of first.

    python bench/bench_startup.py [--only EXPERIMENT ...] [--no-checks]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside the child: count JAX's compile-phase durations, then run the CLI.
CHILD = r"""
import atexit, json, sys, jax.monitoring
totals = {}
def listen(event, duration, **kwargs):
    if event.startswith("/jax/core/compile/") or "compilation_cache" in event:
        totals[event] = totals.get(event, 0.0) + duration
jax.monitoring.register_event_duration_secs_listener(listen)
path = sys.argv[1]
atexit.register(lambda: open(path, "w").write(json.dumps(totals)))
from kernelrich.cli import app
sys.argv = ["kernelrich"] + sys.argv[2:]
try:
    app()
except SystemExit:
    pass
"""


def _run(args: list[str], cache: Path, events: Path) -> dict:
    env = dict(os.environ, KERNELRICH_CACHE_DIR=str(cache), OPENBLAS_NUM_THREADS="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, str(events), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    totals = json.loads(events.read_text())
    compile_s = sum(v for k, v in totals.items() if k.startswith("/jax/core/compile/"))
    return {"wall": wall, "cpu": (after.ru_utime + after.ru_stime)
            - (before.ru_utime + before.ru_stime), "compile": compile_s, "events": totals}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="one experiment")
    parser.add_argument("--no-checks", action="store_true", help="`run` instead of reproduce")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        runs = []
        for k in (1, 2):
            out = tmp / f"out{k}"
            if opts.no_checks:
                args = ["run", *(opts.only or ["woodworth-fig1"]), "--quick", "--out", str(out),
                        "--no-progress"]
            else:
                args = ["reproduce", "--quick", "--out", str(out), "--no-progress"]
                args += [a for name in opts.only for a in ("--only", name)]
            runs.append(_run(args, tmp / "cache", tmp / f"events{k}.json"))
        size = sum(f.stat().st_size for f in (tmp / "cache").rglob("*") if f.is_file())
    first, second = runs
    print(f"load average {os.getloadavg()[0]:.1f}; cache {size / 2**20:.1f} MiB")
    print("| run | wall (s) | CPU (s) | compiling (s) | share compiling |")
    print("|---|---|---|---|---|")
    for name, r in (("first (empty cache)", first), ("second (cache filled)", second)):
        print(f"| {name} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['compile']:.1f} | "
              f"{r['compile'] / r['wall']:.0%} |")
    print(f"second / first: {second['wall'] / first['wall']:.0%} wall, "
          f"{second['cpu'] / first['cpu']:.0%} CPU (target <= 40%)")
    for k, r in enumerate(runs, 1):
        detail = ", ".join(f"{e.rsplit('/', 1)[-1]} {v:.1f} s" for e, v in r["events"].items())
        print(f"run {k} compile events: {detail}")


if __name__ == "__main__":
    main()
