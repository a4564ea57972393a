"""JAX's persistent compilation cache for the command line and the test suite: a second run
loads the compiled XLA programs of the first instead of compiling them again.

The cache lives in a user cache directory: `$KERNELRICH_CACHE_DIR` if set, else
`$XDG_CACHE_HOME/kernelrich/jax` (`~/.cache/kernelrich/jax`). `KERNELRICH_CACHE_DIR=off` (or
`0`, `none`) turns it off. Library users opt in with `enable_compilation_cache()`.
"""

from __future__ import annotations

import os
from pathlib import Path

_OFF = {"", "0", "off", "none", "false", "no"}


def compilation_cache_dir() -> Path | None:
    """The cache directory from the environment (see the module docstring), or `None` when
    it is turned off."""
    given = os.environ.get("KERNELRICH_CACHE_DIR")
    if given is not None:
        return None if given.strip().lower() in _OFF else Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kernelrich" / "jax"


def enable_compilation_cache(path: str | Path | None = None) -> Path | None:
    """Turn on JAX's persistent compilation cache.

    **Arguments:**

    - `path`: the directory; `None`: `compilation_cache_dir()` (the environment decides,
      and may turn it off).

    **Returns:**

    The directory in use, or `None` if the cache is off (or the directory cannot be created:
    then JAX compiles as usual).

    Every program that takes at least 0.05 s to compile is cached (JAX's default threshold,
    1 s, would skip most of this project's many small programs).

    **Example:**

    ```pycon
    >>> import os
    >>> from unittest import mock
    >>> from kernelrich import enable_compilation_cache
    >>> with mock.patch.dict(os.environ, {"KERNELRICH_CACHE_DIR": "off"}):
    ...     print(enable_compilation_cache())
    None

    ```
    """
    import jax

    directory = Path(path).expanduser() if path is not None else compilation_cache_dir()
    if directory is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    jax.config.update("jax_compilation_cache_dir", str(directory))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return directory
