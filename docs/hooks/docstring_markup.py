"""Griffe extension: read two house habits of qsearch docstrings as Markdown.

* ``Example:`` headings (accepted by the Google style guide and Napoleon) become ``Examples:``,
  the one spelling griffe's Google parser reads as doctests; otherwise a doctest renders as
  prose, where an output such as ``[3]`` turns into a broken Markdown reference.
* Sphinx roles (``:class:`~qsearch.problem.SearchProgram```, ``:func:`grover_search```) become
  code spans (``SearchProgram``, ``grover_search``); ``~`` keeps the last dotted part, as in
  Sphinx. Left as they are, they render as ``:class:`` noise.

Loaded by mkdocstrings (mkdocs.yml); the docstrings themselves stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_HEADING = re.compile(r"^(\s*)Example:\s*$", flags=re.MULTILINE)
_SPHINX_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|data|attr|mod|exc|obj|const):`(~?)([^`]+)`")


def _role_to_code(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


class DocstringMarkup(griffe.Extension):
    """Rewrite ``Example:`` headings and Sphinx roles before docstrings are parsed."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = _EXAMPLE_HEADING.sub(r"\1Examples:", obj.docstring.value)
            obj.docstring.value = _SPHINX_ROLE.sub(_role_to_code, text)
