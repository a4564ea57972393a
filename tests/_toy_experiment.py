"""A toy experiment for the framework's tests: y = a * x + noise(seed), optional failures.

`compute` logs `start <id> <time>` / `finish <id> <time>` lines to the file named by the
environment variable `TOY_LOG` (if set) and sleeps `TOY_SLEEP` seconds, so that the kill test
can see what ran. `CALLS` counts calls in this process.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

from kernelrich.experiments import (
    Check,
    CheckResult,
    Counterexample,
    Experiment,
    Store,
    grid,
    nan_at,
    run_experiment,
    setting,
)

CALLS: list[dict] = []


def points(quick: bool) -> list[dict]:
    return grid(a=[1.0, 2.0, 3.0] if quick else [1.0, 2.0, 3.0, 4.0], x=[0, 1], seed=[0, 1])


def kill_points(quick: bool) -> list[dict]:
    return grid(i=list(range(30)), seed=[0])


def _log(event: str, config: dict) -> None:
    path = os.environ.get("TOY_LOG")
    if path:
        with open(path, "a") as f:
            f.write(f"{event} {config.get('i', -1)} {time.time()!r}\n")
            f.flush()


def compute(config: dict) -> dict:
    CALLS.append(config)
    _log("start", config)
    time.sleep(float(os.environ.get("TOY_SLEEP", "0")))
    if config.get("a") == float(os.environ.get("TOY_FAIL_A", "nan")):
        raise RuntimeError(f"toy failure at a={config['a']}")
    noise = np.random.default_rng(config["seed"]).normal(size=3)
    y = config.get("a", 1.0) * config.get("x", config.get("i", 0)) + 0.01 * noise
    _log("finish", config)
    return {"y": float(y[0]), "trace": y.tolist(), "n": np.int64(3)}


def plot(table, out_dir: Path, quick: bool):
    import matplotlib.pyplot as plt

    from kernelrich.plotting import save_figure

    fig, ax = plt.subplots()
    for a in table.unique("a"):
        sub = table.where(a=a, seed=0)
        ax.plot(sub.column("x"), sub.column("y"), marker="o", label=f"a={a}")
    ax.legend()
    mode = "quick" if quick else "full"
    return [save_figure(fig, out_dir, "toy", f"Toy line y = a x, seeds 0-1 ({mode}).")]


def tables(table, quick: bool):
    return [
        (
            "Mean y per a",
            [
                {"a": a, "mean_y": float(np.mean(table.where(a=a).column("y")))}
                for a in table.unique("a")
            ],
        )
    ]


TOY = Experiment(
    name="toy",
    paper="toy2024",
    title="Toy: y = a x",
    claim="The toy line is straight.",
    points=points,
    compute=compute,
    plot=plot,
    tables=tables,
)

KILL = Experiment(
    name="toy-kill",
    paper="toy2024",
    title="Kill",
    claim="Survives SIGKILL.",
    points=kill_points,
    compute=compute,
)


def _slope(evidence, theorem: str = "Toy Thm 1") -> CheckResult:
    """The toy line's slope against 1: fit y = s x by least squares."""
    x, y = np.asarray(evidence["x"], float), np.asarray(evidence["y"], float)
    s = float(x @ y / (x @ x))
    return CheckResult.compare(theorem, "a=1", "|fitted slope - 1|", abs(s - 1), 1e-9,
                               paper="toy2024")


def _line(a: float):
    def measure():
        x = np.arange(1.0, 4.0)
        return {"x": x, "y": a * x}

    return measure


CHECKS = [
    Check("Toy Thm 1", "a=1", _line(1.0), _slope,
          (Counterexample("slope 1.1", setting("y", lambda e: 1.1 * e["x"])),
           Counterexample("a diverged run", nan_at("y"))), paper="toy2024"),
    Check("Toy Thm 2", "a=2", _line(2.0), lambda e: _slope(e, "Toy Thm 2"),
          (Counterexample("slope 3", setting("y", lambda e: 3 * e["x"])),), paper="toy2024"),
]


def sweep(store_root: str) -> None:
    """Entry point of the kill test's subprocess."""
    run_experiment(KILL, quick=True, store=Store(store_root), progress=False)


if __name__ == "__main__":
    sweep(sys.argv[1])
