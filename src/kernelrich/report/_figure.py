"""Figures embedded as data URIs, shown at their print size (scaled up a little on screen)."""

from __future__ import annotations

import base64
import struct
from html import escape
from pathlib import Path

from ..experiments import Figure

_DEFAULT_DPI = 200.0  # kernelrich.plotting.save_figure's


def png_size_in(data: bytes) -> tuple[float, float] | None:
    """The PNG's width and height in inches (its pHYs density, else 200 dpi), or `None`."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    dpi_x = dpi_y = _DEFAULT_DPI
    at = data.find(b"pHYs", 8, 4096)
    if at > 0:
        px, py, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
        if unit == 1 and px > 0 and py > 0:  # pixels per metre
            dpi_x, dpi_y = px * 0.0254, py * 0.0254
    return width / dpi_x, height / dpi_y


def figure_html(fig: Figure, label: str) -> str:
    """`<figure>` with the PNG inline and the caption, prefixed by `label` (e.g. "Figure 2.1")."""
    caption = f"<figcaption><b>{escape(label)}.</b> {escape(fig.caption)}</figcaption>"
    try:
        data = Path(fig.png).read_bytes()
    except OSError:
        missing = f'<p class="fail">missing figure {escape(str(fig.png))}</p>'
        return f"<figure>{missing}{caption}</figure>"
    size = png_size_in(data)
    style = f' style="--w: {size[0]:.2f}in"' if size else ""
    encoded = base64.b64encode(data).decode("ascii")
    img = f'<img src="data:image/png;base64,{encoded}"{style} alt="{escape(fig.caption)}">'
    return f"<figure>{img}{caption}</figure>"
