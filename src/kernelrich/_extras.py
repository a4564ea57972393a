"""Optional dependencies: the core install (`pip install kernelrich`) is the numerical stack
only; the CLI, plots, report and data sets, the convex baselines and the cluster executors come
with extras. `require` imports an optional module or says which extra installs it."""

from __future__ import annotations

import importlib
from types import ModuleType

# Importable module -> (distribution, extra that installs it).
EXTRAS = {
    "matplotlib": ("matplotlib", "experiments"),
    "typer": ("typer", "experiments"),
    "rich": ("rich", "experiments"),
    "pyarrow": ("pyarrow", "experiments"),
    "sklearn": ("scikit-learn", "experiments"),
    "cvxpy": ("cvxpy", "convex"),
    "dask": ("dask", "cluster"),
    "distributed": ("distributed", "cluster"),
    "dask_jobqueue": ("dask-jobqueue", "cluster"),
    "yaml": ("pyyaml", "cluster"),
}


def require(module: str, what: str = "") -> ModuleType:
    """Import `module` (e.g. `"cvxpy"` or `"matplotlib.pyplot"`), or raise an `ImportError`
    that names the extra to install.

    **Arguments:**

    - `module`: the module to import; its top-level package must be in `EXTRAS`.
    - `what`: what needs it, for the message (e.g. `"min_nuclear_norm"`).

    **Returns:**

    The imported module.
    """
    top = module.split(".")[0]
    distribution, extra = EXTRAS[top]
    try:
        return importlib.import_module(module)
    except ImportError as e:
        needs = f"{what} needs" if what else "this needs"
        raise ImportError(
            f"{needs} the optional dependency {distribution}, which the core install of "
            f"kernelrich leaves out: pip install 'kernelrich[{extra}]' (or 'kernelrich[all]')"
        ) from e
