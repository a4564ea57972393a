"""The embedded store: a directory tree, one JSON record per grid point, content-addressed.

Layout: `root/<experiment>/<key>.json`. Writes are atomic (temp file in the same directory,
flush, fsync, `os.replace`), so a reader never sees a partial record; a file that does not
parse is treated as missing and overwritten by the next write. No locks (no SQLite, no
`flock`): safe on shared network file systems, where several runners may write at once; two
writers of one key write the same point, and the last rename wins whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._json import canonical_json

if TYPE_CHECKING:
    from ._admin import StoreIssue

_TMP_PREFIX = ".tmp."
_TMP_SUFFIX = ".part"


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


class Store:
    """A local, content-addressed store of experiment records.

    **Arguments:**

    - `root`: the directory holding the store (created on first write).

    Each record is a dict `{"key", "experiment", "schema", "config", "status": "ok" | "failed",
    "result" | ("error", "traceback"), "provenance"}`.
    """

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    @staticmethod
    def key(experiment: str, schema: int, config: dict[str, Any]) -> str:
        """The record key: sha256 of the canonical JSON of `{experiment, schema, config}`.

        Independent of the order of the config's keys; changes with `schema`.
        """
        text = canonical_json({"experiment": experiment, "schema": schema, "config": config})
        return hashlib.sha256(text.encode()).hexdigest()

    def path(self, experiment: str, key: str) -> Path:
        """Where the record `key` of `experiment` lives."""
        return self.root / experiment / f"{key}.json"

    def get(self, experiment: str, key: str) -> dict[str, Any] | None:
        """The record `key` of `experiment`, or `None` if missing or unreadable (corrupt)."""
        return _read_record(self.path(experiment, key), key)

    def put(self, record: dict[str, Any]) -> Path:
        """Write `record` atomically (replacing any previous record with the same key).

        **Returns:**

        The path of the record file.
        """
        path = self.path(record["experiment"], record["key"])
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, json.dumps(record, indent=1, sort_keys=True))
        return path

    def check_writable(self, experiment: str, min_free_bytes: int = 16 * 2**20) -> None:
        """Raise `StoreError` (naming the path and cause) unless records can be written now.

        Creates the experiment's folder, checks `min_free_bytes` of free disk, and writes and
        removes a 4 KiB probe file; the runner calls this before computing any point.
        """
        from ._admin import check_writable

        check_writable(self, experiment, min_free_bytes)

    def verify(self, schemas: Mapping[str, int] | None = None) -> list[StoreIssue]:
        """Check every file: parses, named by its key, key = hash of (experiment, schema,
        config), in its experiment's folder, current schema (`schemas`: experiment -> schema).

        **Returns:**

        The `StoreIssue`s found (empty when the store is intact).
        """
        from ._admin import verify

        return verify(self, schemas)

    def gc(self, schemas: Mapping[str, int], *, dry_run: bool = False) -> list[Path]:
        """Remove records of schema versions older than `schemas[experiment]`.

        **Returns:**

        The paths removed (or that would be, with `dry_run`).
        """
        from ._admin import gc

        return gc(self, schemas, dry_run=dry_run)

    def summary(self) -> list[dict[str, Any]]:
        """One row `{experiment, schema, status, n}` per experiment, schema and status."""
        from ._admin import summary

        return summary(self)

    def keys(self, experiment: str) -> list[str]:
        """The keys of every readable record of `experiment`, sorted."""
        return sorted(record["key"] for record in self.records(experiment))

    def records(self, experiment: str) -> Iterator[dict[str, Any]]:
        """Every readable record of `experiment` (corrupt files are skipped), by key."""
        folder = self.root / experiment
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.json")):
            record = _read_record(path, path.stem)
            if record is not None:
                yield record

    def sweep_temp(self, experiment: str) -> int:
        """Delete temp files left by writers on this host that no longer run (e.g. killed).

        **Returns:**

        The number of files deleted.
        """
        folder = self.root / experiment
        if not folder.is_dir():
            return 0
        removed = 0
        for path in folder.glob(f"{_TMP_PREFIX}*{_TMP_SUFFIX}"):
            parts = path.name.split(".")  # ["", "tmp", host, pid, random, "part"]
            if len(parts) == 6 and parts[2] == _host_tag() and not _pid_alive(int(parts[3])):
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def _read_record(path: Path, key: str) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("key") != key:
        return None
    status = record.get("status")
    if status not in ("ok", "failed") or (
        status == "ok" and not isinstance(record.get("result"), dict)
    ):
        return None
    return record


def _atomic_write(path: Path, text: str) -> None:
    prefix = f"{_TMP_PREFIX}{_host_tag()}.{os.getpid()}."
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=_TMP_SUFFIX)
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
