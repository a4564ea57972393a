"""The documentation site's structure: every nav page exists, every example has a tutorial that
includes it, every public subpackage has an API page; the strict build itself (slow) when
mkdocs is installed (CI builds it with `bash scripts/docs.sh`)."""

from __future__ import annotations

import importlib.util
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kernelrich

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
_NOT_API = {"papers"}  # experiment definitions, documented through the report and tutorials


def _nav_pages() -> list[str]:
    text = (ROOT / "mkdocs.yml").read_text()
    nav = text[text.index("\nnav:") :]
    return re.findall(r"[\s:-]\s*([\w/.-]+\.md)\s*$", nav, flags=re.MULTILINE)


def test_nav_pages_exist():
    pages = _nav_pages()
    assert "index.md" in pages and "benchmarks.md" in pages and "sweeps.md" in pages
    missing = [p for p in pages if not (DOCS / p).is_file()]
    assert missing == [], f"pages in mkdocs.yml's nav but not under docs/: {missing}"


def test_every_example_has_a_tutorial():
    tutorials = "\n".join(p.read_text() for p in (DOCS / "tutorials").glob("*.md"))
    for script in sorted((ROOT / "examples").glob("*.py")):
        assert f'--8<-- "examples/{script.name}"' in tutorials, f"no tutorial includes {script}"
        assert (DOCS / "assets" / "examples" / f"{script.stem}.png").is_file(), script.stem


def test_every_example_tutorial_shows_its_figure_and_is_in_the_nav():
    pages = set(_nav_pages())
    for script in sorted((ROOT / "examples").glob("*.py")):
        include = f'--8<-- "examples/{script.name}"'
        tutorials = [p for p in (DOCS / "tutorials").glob("*.md") if include in p.read_text()]
        for page in tutorials:
            assert f"(../assets/examples/{script.stem}.png)" in page.read_text(), page.name
            assert f"tutorials/{page.name}" in pages, f"{page.name} is not in mkdocs.yml's nav"


def test_every_public_subpackage_has_an_api_page():
    names = [m.name for m in pkgutil.iter_modules(kernelrich.__path__)
             if m.ispkg and not m.name.startswith("_") and m.name not in _NOT_API]
    names.append("datasets")
    pages = set(_nav_pages())
    for name in names:
        page = DOCS / "api" / f"{name}.md"
        assert page.is_file(), f"kernelrich.{name} has no API page docs/api/{name}.md"
        assert f"::: kernelrich.{name}" in page.read_text()
        assert f"api/{name}.md" in pages, f"docs/api/{name}.md is not in mkdocs.yml's nav"


def test_readme_links_into_the_docs():
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(((?:docs|examples)/[^)#]+)", readme):
        assert (ROOT / target).exists(), f"README links to missing {target}"
    assert "bash scripts/reproduce.sh" in readme and "bash scripts/test.sh" in readme


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="docs extra not installed")
def test_mkdocs_build_strict(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "index.html").is_file()
    assert "flow_limit" in (tmp_path / "api" / "diagonal" / "index.html").read_text()
