"""The examples in the docstrings of the public functions run and print what they show.

Every public function of the listed modules (`__all__` where a module defines it, else its
names without a leading underscore, restricted to functions defined inside kernelrich, jitted
ones included) has an `**Example:**` whose `>>>` lines are run here, one test per function
(and per public class that has one); a second test fails when a public function has no
example, so a new one cannot land without it. The examples sit in a ```` ```pycon ````
fence (closed after a blank line, which ends doctest's expected output), so that the API
pages show them as code rather than as Markdown quotes.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import io
import warnings

import numpy as np
import pytest

MODULES = (
    "kernelrich",
    "kernelrich.barron",
    "kernelrich.bias",
    "kernelrich.datasets",
    "kernelrich.diagonal",
    "kernelrich.experiments",
    "kernelrich.lazy",
    "kernelrich.matrix",
    "kernelrich.meanfield",
    "kernelrich.ntk",
    "kernelrich.plotting",
    "kernelrich.spectrum",
    "kernelrich.stax",
)

NOT_YET_COVERED: dict[str, str] = {}
"""Modules whose public functions are not yet required to have examples, with the reason."""

EXEMPT: dict[str, str] = {}
"""Public functions ("module.name") left without an example, with the reason."""

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _public(module_name: str, kind) -> list[tuple[str, object]]:
    """The public names of `module_name` that pass `kind` (inspect.isfunction or isclass) and
    are defined inside it (not re-exported from elsewhere, such as matplotlib's `cycler`)."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in dir(module) if not name.startswith("_")]
    found = []
    for name in sorted(names):
        obj = getattr(module, name)
        home = getattr(obj, "__module__", None) or ""
        if kind(obj) and (home == module_name or home.startswith(module_name + ".")):
            found.append((f"{module_name}.{name}", obj))
    return found


def _is_function(obj) -> bool:
    """A plain function, or one wrapped by `jax.jit` / `equinox.filter_jit` (`__wrapped__`)."""
    return not inspect.isclass(obj) and inspect.isfunction(inspect.unwrap(obj))


FUNCTIONS = [item for name in MODULES for item in _public(name, _is_function)]
"""Every public function: each must have an example (or an entry in EXEMPT)."""


def _doctests(qualname: str, obj) -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(recurse=False)
    return [test for test in finder.find(obj, qualname, globs={}) if test.examples]


CLASSES = [(qualname, cls) for name in MODULES for qualname, cls in _public(name, inspect.isclass)
           if _doctests(qualname, cls)]
"""The public classes whose docstring has an example (optional for classes)."""

EXAMPLES = FUNCTIONS + CLASSES


def test_module_and_exemption_lists_are_consistent():
    assert not set(MODULES) & set(NOT_YET_COVERED)
    assert FUNCTIONS, "no public functions found"
    stale = sorted(set(EXEMPT) - {qualname for qualname, _ in FUNCTIONS})
    assert not stale, f"EXEMPT names functions that are not public: {stale}"


@pytest.mark.parametrize("qualname, obj", EXAMPLES, ids=[q for q, _ in EXAMPLES])
def test_example_runs(qualname, obj):
    tests = _doctests(qualname, obj)
    if not tests:
        pytest.skip(EXEMPT.get(qualname, "no example: test_every_public_function_has_an_example"))
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    state = np.get_printoptions()
    failed = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # an example must not warn
            for test in tests:
                failed += runner.run(test, out=report.write).failed
    finally:
        np.set_printoptions(**state)
    assert failed == 0, report.getvalue()


def test_every_public_function_has_an_example():
    missing = [qualname for qualname, function in FUNCTIONS
               if qualname not in EXEMPT and not _doctests(qualname, function)]
    assert not missing, f"public functions without an **Example:** in their docstring: {missing}"
    needless = [qualname for qualname, function in FUNCTIONS
                if qualname in EXEMPT and _doctests(qualname, function)]
    assert not needless, f"EXEMPT names functions that now have an example: {needless}"


def test_examples_are_fenced_as_code():
    unfenced = [qualname for qualname, obj in EXAMPLES
                if _doctests(qualname, obj) and "```pycon" not in obj.__doc__.split(">>>", 1)[0]]
    assert not unfenced, f"examples outside a ```pycon fence (shown as quotes): {unfenced}"
