"""Benchmark: the wall and CPU time of single full-mode points, each computed with its
experiment's own `compute`, for experiments too long to run end to end on a 2-core machine
(the full-mode estimate is then the per-point time times the points of equal cost).

Usage: `.venv/bin/python bench/bench_full_points.py NAME [KEY=VALUE ...] [@KEY=S1,S2]
[-- NAME ...]`: for each NAME, the first full-mode point whose config matches every KEY=VALUE
(values compared as text, e.g. `width=10000`) is computed once and timed; the number of
full-mode points with the same values of those keys is printed beside it. With `@KEY=S1,S2`
(a step count such as `@steps=2,6`) the point is computed at KEY = S1 and S2 instead, and
the cost at the config's own KEY is extrapolated linearly (fixed cost + per-step cost). One
process computes the points in turn, so each time includes its compilation.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from kernelrich import catalog  # noqa: E402


def matches(config: dict, wanted: dict[str, str]) -> bool:
    return all(str(config.get(k)) == v for k, v in wanted.items())


def timed(exp, config: dict) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    exp.compute(config)
    return time.perf_counter() - wall, time.process_time() - cpu


def bench(name: str, wanted: dict[str, str], cut: tuple[str, int, int] | None = None) -> None:
    exp = catalog.experiments()[name]
    grid = exp.points(False)
    config = next((c for c in grid if matches(c, wanted)), None)
    if config is None:
        raise SystemExit(f"{name}: no full-mode point matches {wanted}")
    like = sum(matches(c, wanted) for c in grid)
    label = ", ".join(f"{k} = {v}" for k, v in wanted.items()) or "first point"
    if cut is None:
        wall, cpu = timed(exp, config)
    else:
        key, s1, s2 = cut
        (w1, c1), (w2, c2) = timed(exp, {**config, key: s1}), timed(exp, {**config, key: s2})
        per = ((w2 - w1) / (s2 - s1), (c2 - c1) / (s2 - s1))
        wall, cpu = w1 + (config[key] - s1) * per[0], c1 + (config[key] - s1) * per[1]
        label += (f", extrapolated to {key} = {config[key]} from {s1} ({w1:.1f} s wall / "
                  f"{c1:.1f} s CPU) and {s2} ({w2:.1f} / {c2:.1f} s): {per[0]:.2f} s wall / "
                  f"{per[1]:.2f} s CPU per unit")
    print(f"{name} ({label}): {wall:.1f} s wall / {cpu:.1f} s CPU; {like} of the {len(grid)} "
          f"full-mode points share these values; load average {os.getloadavg()[0]:.1f}",
          flush=True)


def main(argv: list[str]) -> None:
    groups, current = [], []
    for arg in argv + ["--"]:
        if arg == "--":
            if current:
                groups.append(current)
            current = []
        else:
            current.append(arg)
    if not groups:
        raise SystemExit(__doc__)
    for name, *pairs in groups:
        cuts = [p[1:].split("=", 1) for p in pairs if p.startswith("@")]
        cut = None
        if cuts:
            key, values = cuts[0]
            s1, s2 = (int(v) for v in values.split(","))
            cut = (key, s1, s2)
        bench(name, dict(p.split("=", 1) for p in pairs if not p.startswith("@")), cut)


if __name__ == "__main__":
    main(sys.argv[1:])
