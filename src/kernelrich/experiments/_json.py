"""JSON conversion shared by the store and the runner: configs and results are plain JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np


def to_jsonable(value: Any) -> Any:
    """Convert `value` to plain JSON types (dict, list, str, int, float, bool, None).

    NumPy and JAX scalars become Python scalars, arrays become nested lists, tuples become
    lists. Mapping keys must be strings.

    **Arguments:**

    - `value`: a config or a result of `Experiment.compute`.

    **Returns:**

    The same data in plain JSON types.

    **Raises:**

    `TypeError` for anything that has no JSON form (with the offending type in the message).

    **Example:**

    ```pycon
    >>> import numpy as np
    >>> from kernelrich.experiments import to_jsonable
    >>> out = to_jsonable({"x": np.float64(0.5), "n": np.int64(3), "v": np.arange(3.0)})
    >>> out, type(out["x"]).__name__
    ({'x': 0.5, 'n': 3, 'v': [0.0, 1.0, 2.0]}, 'float')

    ```
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
        return value.item()
    if isinstance(value, int | float):
        return value
    if isinstance(value, Mapping):
        return _mapping_to_jsonable(value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "__array__"):
        return np.asarray(value).tolist()
    raise TypeError(f"not JSON-able: {type(value).__name__} ({value!r:.80})")


def _mapping_to_jsonable(value: Mapping) -> dict[str, Any]:
    out = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise TypeError(f"JSON object keys must be str, got {type(k).__name__} ({k!r})")
        out[k] = to_jsonable(v)
    return out


def canonical_json(value: Any) -> str:
    """The canonical JSON text of `value`: sorted keys, no whitespace, ASCII only.

    Two configs that differ only in dict order have the same canonical text.

    **Example:**

    ```pycon
    >>> from kernelrich.experiments import canonical_json
    >>> canonical_json({"seed": 0, "alpha": [0.5, "x"]})
    '{"alpha":[0.5,"x"],"seed":0}'
    >>> canonical_json({"b": 1, "a": 2}) == canonical_json({"a": 2, "b": 1})
    True

    ```
    """
    return json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
