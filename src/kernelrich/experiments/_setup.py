"""Setup provenance: every parameter of an experiment with its value and where the value comes
from (the paper, the authors' code, or our choice and why), shown in the report.

A paper package's experiments declare `setup(quick) -> list[Param]`, built with `Param.paper`,
`Param.code`, `Param.choice` and `Param.uncertain`. A value that the paper
does not fix is a `choice` (we chose it, and say why) or `uncertain` (the paper's value could
not be read; say what we used instead); both are listed again in the paper's **Assumptions**.
Where the run's value differs from the paper's (a quick mode, no data download), `paper_value`
says what the paper used, and the report marks the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["paper", "code", "choice", "uncertain"]
_KINDS = ("paper", "code", "choice", "uncertain")


@dataclass(frozen=True)
class Param:
    """One parameter of an experiment's setup.

    **Arguments:**

    - `name`: the parameter in the paper's words, e.g. `"d (input dimension)"`.
    - `value`: the value this run uses (any JSON-able value; shown as text).
    - `kind`: `"paper"` (the paper's text), `"code"` (the authors' code), `"choice"` (ours,
      `source` says why) or `"uncertain"` (the paper's value could not be read).
    - `source`: the section, figure or file it comes from, or why we chose it.
    - `paper_value`: the paper's value when this run's differs (e.g. in quick mode), else
      `None`.

    **Example:**

    ```pycon
    >>> from kernelrich.experiments import Param
    >>> d = Param.paper("d (input dimension)", 100, "Section 3, Fig. 2", paper_value=1000)
    >>> d.kind, d.differs, d.assumed
    ('paper', True, False)
    >>> Param.choice("seed", 0, "any fixed seed; the figure averages 10").assumed
    True
    >>> Param.code("steps", 10**4, "")
    Traceback (most recent call last):
    ...
    ValueError: Param 'steps' needs a source

    ```
    """

    name: str
    value: Any
    kind: Kind
    source: str
    paper_value: Any = None

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"Param.kind must be one of {_KINDS}, got {self.kind!r}")
        if not self.source:
            raise ValueError(f"Param {self.name!r} needs a source")

    @property
    def assumed(self) -> bool:
        """Whether the value is ours (a choice, or standing in for an uncertain one)."""
        return self.kind in ("choice", "uncertain")

    @property
    def differs(self) -> bool:
        """Whether this run's value differs from the paper's."""
        return self.paper_value is not None and self.paper_value != self.value

    @classmethod
    def paper(cls, name: str, value: Any, where: str, paper_value: Any = None) -> Param:
        """A value from the paper's text, e.g. `Param.paper("d", 100, "Section 3, Fig. 2")`."""
        return cls(name, value, "paper", where, paper_value)

    @classmethod
    def code(cls, name: str, value: Any, file: str, paper_value: Any = None) -> Param:
        """A value from the authors' code, e.g. `Param.code("steps", 10**4, "test_vs_scale.jl")`;
        `paper_value` is the authors' value when this run's differs."""
        return cls(name, value, "code", file, paper_value)

    @classmethod
    def choice(cls, name: str, value: Any, why: str) -> Param:
        """A value the paper leaves open, chosen by us; `why` says why."""
        return cls(name, value, "choice", why)

    @classmethod
    def uncertain(cls, name: str, value: Any, why: str) -> Param:
        """A value the paper fixes but which could not be read; `why` says what we use."""
        return cls(name, value, "uncertain", why)

    def row(self) -> dict[str, str]:
        """The report's row: parameter, value, source (and the paper's value if it differs)."""
        labels = {"paper": "paper", "code": "authors' code", "choice": "our choice",
                  "uncertain": "uncertain"}
        value = _text(self.value)
        if self.differs:
            value += f" (paper: {_text(self.paper_value)})"
        return {"parameter": self.name, "value": value,
                "source": f"{labels[self.kind]}: {self.source}"}


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple) and len(value) > 8:
        return f"{_text(value[0])} ... {_text(value[-1])} ({len(value)} values)"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)
