"""Where and with what a result was computed: versions, machine, git state."""

from __future__ import annotations

import functools
import platform
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

_GIT_TIMEOUT_S = 2.0


def collect_provenance() -> dict[str, Any]:
    """The environment of this process, recorded with every result.

    **Returns:**

    A JSON-able dict: kernelrich, Python, JAX and NumPy versions (and, under `packages`,
    those of jaxlib, SciPy, equinox, diffrax, optax, cvxpy, dask, distributed; `None` when
    not installed), the JAX x64 flag, default backend and device, git commit of the
    kernelrich checkout and whether the package's sources differ from it (`None` when not a
    git checkout or git is absent), hostname and platform.
    Computed once per process.

    **Example:**

    ```pycon
    >>> import json
    >>> from kernelrich.experiments import collect_provenance
    >>> env = collect_provenance()
    >>> {"kernelrich", "python", "jax", "numpy", "git_commit", "hostname"} <= set(env)
    True
    >>> env["jax_enable_x64"], json.loads(json.dumps(env)) == env
    (True, True)

    ```
    """
    return dict(_environment())


@functools.cache
def _environment() -> tuple[tuple[str, Any], ...]:
    import jax
    import numpy as np

    import kernelrich

    commit, dirty = _git_state(Path(kernelrich.__file__).resolve().parent)
    info = {
        "kernelrich": kernelrich.__version__,
        "python": platform.python_version(),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "jax_enable_x64": bool(jax.config.jax_enable_x64),
        "jax_backend": jax.default_backend(),
        "jax_device": str(jax.devices()[0]),
        "git_commit": commit,
        "git_dirty": dirty,
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "argv": " ".join(sys.argv),
        "packages": _package_versions(),
    }
    return tuple(info.items())


_PACKAGES = ("jaxlib", "scipy", "equinox", "diffrax", "optax", "cvxpy", "dask", "distributed")


def _package_versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def _git_state(where: Path) -> tuple[str | None, bool | None]:
    commit = _git(where, "rev-parse", "HEAD")
    if commit is None:
        return None, None
    status = _git(where, "status", "--porcelain", "--", ".")  # the package's own sources
    return commit, (None if status is None else bool(status))


def _git(where: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()
