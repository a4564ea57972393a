"""The report's provenance footer: versions, machine, wall time per experiment."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

from ._model import ReportSection
from ._text import rows_table


def machine() -> dict[str, Any]:
    """The CPU model, logical cores and memory of this machine (what is readable)."""
    info: dict[str, Any] = {"machine": platform.machine(), "cpu cores": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory (GiB)"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except (OSError, ValueError, IndexError):
        pass
    return info


def footer(sections: list[ReportSection], provenance: dict[str, Any]) -> str:
    """The footer: `provenance` (machine info added where absent) and per-experiment times."""
    values = machine() | provenance
    prov = [{"": k, "value": v if isinstance(v, str) else json.dumps(v)} for k, v in values.items()]
    times = [
        {
            "paper": s.paper_key,
            "experiment": e.name or e.title,
            "points": e.n_points,
            "failed": e.n_failed,
            "wall time (s)": round(e.wall_time_s, 2),
        }
        for s in sections
        for e in s.experiments
    ]
    total = sum(e.wall_time_s for s in sections for e in s.experiments)
    total_text = f'<p class="meta">Experiments together: {total:.1f} s.</p>' if times else ""
    return (
        '<footer id="provenance"><h2>Provenance</h2>'
        + rows_table(prov)
        + "<h3>Wall time per experiment</h3>"
        + (rows_table(times) if times else '<p class="muted">No experiments.</p>')
        + total_text
        + "</footer>"
    )
