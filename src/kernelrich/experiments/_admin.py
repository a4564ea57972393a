"""Store maintenance: is it writable, is every record intact, and removing stale schemas.

No locks are used anywhere (see `docs/sweeps.md`): records are immutable files named by the
hash of their content's identity, written by an atomic rename in the same directory, which
NFS, Lustre, GPFS and local file systems all provide. Verification therefore only has to look
at each file on its own.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._store import Store

_MIN_FREE_BYTES = 16 * 2**20


class StoreError(OSError):
    """The store cannot take records: not writable, or its disk is (nearly) full."""


@dataclass(frozen=True)
class StoreIssue:
    """One problem found by `Store.verify`.

    **Arguments:**

    - `path`: the file.
    - `kind`: `"unreadable"`, `"key"` (file name is not the record's key), `"hash"` (key is not
      the hash of experiment, schema and config), `"experiment"` (record in another
      experiment's folder), `"stale"` (older schema than the current one), `"temp"` (a
      leftover temp file) or `"unexpected"`.
    - `detail`: what was found.
    """

    path: Path
    kind: str
    detail: str


def check_writable(store: Store, experiment: str, min_free_bytes: int = _MIN_FREE_BYTES) -> None:
    """Raise `StoreError` unless a record of `experiment` can be written now."""
    folder = store.root / experiment
    try:
        folder.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(folder).free
    except OSError as e:
        raise StoreError(f"store {str(store.root)!r} is not writable: {e}") from e
    if free < min_free_bytes:
        raise StoreError(
            f"store {str(store.root)!r} is on a full disk: {free} bytes free, "
            f"need at least {min_free_bytes}; free space or choose another --out"
        )
    from ._store import _TMP_PREFIX, _TMP_SUFFIX, _host_tag

    probe = folder / f"{_TMP_PREFIX}{_host_tag()}.{os.getpid()}.probe{_TMP_SUFFIX}"
    try:
        with open(probe, "w") as f:
            f.write(" " * 4096)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        why = "disk is full" if e.errno in (errno.ENOSPC, errno.EDQUOT) else "not writable"
        raise StoreError(f"store {str(store.root)!r}: {why}: {e}") from e
    finally:
        probe.unlink(missing_ok=True)


def verify(store: Store, schemas: Mapping[str, int] | None = None) -> list[StoreIssue]:
    """Every problem of every file in the store; `schemas` maps experiment -> current schema."""
    from ._store import _TMP_PREFIX, Store

    issues = []
    for path in _files(store):
        experiment = path.parent.name
        if path.name.startswith(_TMP_PREFIX):
            issues.append(StoreIssue(path, "temp", "temp file of an unfinished or running write"))
            continue
        if path.suffix != ".json":
            issues.append(StoreIssue(path, "unexpected", "not a record"))
            continue
        try:
            record = json.loads(path.read_text())
            key, schema = record["key"], record["schema"]
            expected = Store.key(record["experiment"], schema, record["config"])
            status = record["status"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            issues.append(StoreIssue(path, "unreadable", f"{type(e).__name__}: {e}"))
            continue
        if key != path.stem:
            issues.append(StoreIssue(path, "key", f"record key {key} under another name"))
        elif key != expected:
            issues.append(StoreIssue(path, "hash", f"key {key} != hash {expected}"))
        elif record["experiment"] != experiment:
            issues.append(StoreIssue(path, "experiment", f"record of {record['experiment']!r}"))
        elif status not in ("ok", "failed") or (
            status == "ok" and not isinstance(record.get("result"), dict)
        ):
            issues.append(StoreIssue(path, "unreadable", f"bad status or result ({status!r})"))
        elif schemas and experiment in schemas and schema != schemas[experiment]:
            detail = f"schema {schema}, current {schemas[experiment]}"
            issues.append(StoreIssue(path, "stale", detail))
    return issues


def gc(store: Store, schemas: Mapping[str, int], *, dry_run: bool = False) -> list[Path]:
    """Remove the records of older schema versions than `schemas[experiment]`.

    Experiments missing from `schemas` are left alone. **Returns:** the removed paths.
    """
    removed = []
    for path in _files(store):
        current = schemas.get(path.parent.name)
        if current is None or path.suffix != ".json" or path.name.startswith("."):
            continue
        try:
            schema = json.loads(path.read_text())["schema"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(schema, int) and schema < current:
            if not dry_run:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def summary(store: Store) -> list[dict]:
    """One row per experiment: ok and failed counts per schema version."""
    rows = []
    for folder in sorted(p for p in store.root.glob("*") if p.is_dir()):
        counts: dict[tuple[int, str], int] = {}
        for record in store.records(folder.name):
            k = (record.get("schema"), record["status"])
            counts[k] = counts.get(k, 0) + 1
        for (schema, status), n in sorted(counts.items(), key=str):
            rows.append({"experiment": folder.name, "schema": schema, "status": status, "n": n})
    return rows


def _files(store: Store) -> list[Path]:
    if not store.root.is_dir():
        return []
    return sorted(p for p in store.root.glob("*/*") if p.is_file())
