"""Griffe extension for the API reference (mkdocs.yml).

- A public name that a package's `__init__.py` re-exports (`from ._x import y as y`, the
  project's convention) is public, so mkdocstrings documents it on the package's page.
- A docstring's `**Arguments:**` / `**Fields:**` line directly followed by a `- ` list gets a
  blank line in between, so that Markdown renders the list as a list.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_LIST_AFTER_LABEL = re.compile(r"^(\s*\*\*[^*\n]+:\*\*[^\n]*)\n(\s*- )", re.MULTILINE)


class PublicReexports(griffe.Extension):
    """Mark re-exported names public; separate labelled lists in docstrings."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._walk(pkg)

    def _walk(self, obj: griffe.Object) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _LIST_AFTER_LABEL.sub(r"\1\n\n\2", obj.docstring.value)
        for name, member in obj.members.items():
            if member.is_alias:
                if obj.is_module and obj.is_init_module and not name.startswith("_"):
                    member.public = True
            else:
                self._walk(member)
