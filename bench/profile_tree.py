"""A flame-style summary of a cProfile run: the call tree below one function, as text.

Each line is a function called (directly or not) from the root, indented by call
depth, with the cumulative time spent in it on behalf of its parent and that time's
share of the root's. Lines are sorted by time and children under ``min_share`` are
left out, so the text reads like a flame graph turned on its side. Times come from
cProfile's per-caller figures; under recursion a function's share is counted once,
at the outermost call.
"""

from __future__ import annotations

import pstats
from typing import Any

__all__ = ["call_tree", "find_function"]

Function = tuple[str, int, str]


def find_function(stats: pstats.Stats, name: str) -> Function | None:
    """Return the profiled function whose name is ``name`` (the one with most time)."""
    entries: dict[Function, Any] = stats.stats  # type: ignore[attr-defined]
    matches = [(value[3], function) for function, value in entries.items()
               if function[2] == name]
    return max(matches)[1] if matches else None


def _label(function: Function) -> str:
    filename, line, name = function
    if filename == "~":
        return name
    short = "/".join(filename.rsplit("/", 2)[-2:])
    return f"{name} ({short}:{line})"


def call_tree(stats: pstats.Stats, root: Function, *, depth: int = 4,
              min_share: float = 0.02) -> str:
    """Return the indented call tree below ``root``, down to ``depth`` levels."""
    entries: dict[Function, Any] = stats.stats  # type: ignore[attr-defined]
    children: dict[Function, list[tuple[float, Function]]] = {}
    for function, (_cc, _nc, _tt, _ct, callers) in entries.items():
        for caller, figures in callers.items():
            if caller != function:
                children.setdefault(caller, []).append((figures[3], function))

    total = entries[root][3]
    lines = [f"{total:8.3f} s 100.0%  {_label(root)}"]

    def visit(function: Function, level: int, seen: frozenset[Function]) -> None:
        if level > depth:
            return
        for seconds, child in sorted(children.get(function, []), reverse=True):
            share = seconds / total if total else 0.0
            if share < min_share or child in seen:
                continue
            lines.append(f"{seconds:8.3f} s {share:6.1%}  {'  ' * level}{_label(child)}")
            visit(child, level + 1, seen | {child})

    visit(root, 1, frozenset({root}))
    return "\n".join(lines)
