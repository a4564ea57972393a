"""One paper style for every figure, and saving a figure as PNG + PDF.

Figures are drawn with the non-interactive Agg backend (chosen at import unless pyplot was
already imported, in which case the caller's backend is kept).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from ._extras import require

matplotlib = require("matplotlib", "kernelrich.plotting")
if "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import cycler  # noqa: E402

from .experiments import Figure  # noqa: E402

COLUMN_WIDTH = 3.3
"""Width in inches of a one-column figure."""

PAGE_WIDTH = 6.8
"""Width in inches of a full-page-width figure."""

COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
"""The Okabe-Ito colour-blind safe palette, in the order the colour cycle uses it."""

_RC = {
    "figure.figsize": (COLUMN_WIDTH, 0.75 * COLUMN_WIDTH),
    "figure.dpi": 100,
    "font.family": "serif",
    "font.serif": ["DejaVu Serif", "Times New Roman", "Times"],
    "mathtext.fontset": "dejavuserif",
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.linewidth": 0.6,
    "axes.grid": True,
    "axes.prop_cycle": cycler(color=list(COLORS)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.color": "0.88",
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "pdf.fonttype": 42,
}


@contextlib.contextmanager
def paper_style() -> Iterator[None]:
    """Within this context, matplotlib draws in the paper style.

    Print-readable: serif 9 pt text, thin lines, light grid, Okabe-Ito colours, one-column
    width by default (use `figsize=(PAGE_WIDTH, h)` for a full-width figure).

    ```python
    with paper_style():
        fig, ax = plt.subplots()
        ax.plot(x, y)
        save_figure(fig, out_dir, "fig1", "...")
    ```

    **Example:**

    ```pycon
    >>> import matplotlib.pyplot as plt
    >>> from kernelrich.plotting import COLUMN_WIDTH, paper_style
    >>> with paper_style():
    ...     fig, ax = plt.subplots()
    ...     font_size = plt.rcParams["font.size"]
    >>> font_size, bool(fig.get_figwidth() == COLUMN_WIDTH)
    (9.0, True)
    >>> plt.close(fig)

    ```
    """
    with matplotlib.rc_context(_RC):
        yield


def save_figure(fig: matplotlib.figure.Figure, out_dir: Path, name: str, caption: str) -> Figure:
    """Save `fig` as `out_dir/name.png` (200 dpi) and `out_dir/name.pdf`, then close it.

    **Arguments:**

    - `fig`: the matplotlib figure.
    - `out_dir`: directory, created if needed.
    - `name`: file stem.
    - `caption`: what ran: flow or GD, step, tolerance, sizes, seeds, quick/full.

    **Returns:**

    The `kernelrich.experiments.Figure` with both paths and the caption.

    **Example:**

    ```pycon
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> from kernelrich.plotting import save_figure
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as out:
    ...     figure = save_figure(fig, out, "line", "A straight line (demo).")
    ...     written = figure.png.exists() and figure.pdf.exists()
    >>> figure.png.name, figure.pdf.name, figure.caption, written
    ('line.png', 'line.pdf', 'A straight line (demo).', True)

    ```
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    png, pdf = out_dir / f"{name}.png", out_dir / f"{name}.pdf"
    with paper_style():
        fig.savefig(png, dpi=200)
        fig.savefig(pdf, metadata={"CreationDate": None})
    plt.close(fig)
    return Figure(png=png, pdf=pdf, caption=caption)
