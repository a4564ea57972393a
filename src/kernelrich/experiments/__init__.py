"""The shared experiment framework: spec -> runner -> store -> tidy table -> figures / checks.

An `Experiment` declares a grid of JSON configs and a pure `compute(config) -> dict`;
`run_experiment` computes the points not yet in the `Store` (one atomic JSON record per point)
and returns the tidy `Table`. A `Check` evaluates one theorem on one instance.
"""

from ._admin import StoreError as StoreError
from ._admin import StoreIssue as StoreIssue
from ._checks import Check as Check
from ._checks import CheckResult as CheckResult
from ._checks import Counterexample as Counterexample
from ._checks import Refutation as Refutation
from ._checks import nan_at as nan_at
from ._checks import run_checks as run_checks
from ._checks import setting as setting
from ._checks import worst as worst
from ._dask import DaskExecutor as DaskExecutor
from ._executor import Executor as Executor
from ._executor import SerialExecutor as SerialExecutor
from ._json import canonical_json as canonical_json
from ._json import to_jsonable as to_jsonable
from ._point import compute_chunk as compute_chunk
from ._process import ProcessExecutor as ProcessExecutor
from ._provenance import collect_provenance as collect_provenance
from ._runner import Outcome as Outcome
from ._runner import RunSummary as RunSummary
from ._runner import compute_point as compute_point
from ._runner import run_experiment as run_experiment
from ._setup import Param as Param
from ._spec import Experiment as Experiment
from ._spec import Figure as Figure
from ._spec import grid as grid
from ._store import Store as Store
from ._table import Table as Table
