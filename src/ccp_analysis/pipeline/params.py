"""`build -p` overrides: parsed and matched to the notebooks of the build.

What a parameter accepts, and every check of a value, is the one resolver of
`ccp_analysis.figures` (`figures.checks.resolve`), which the notebooks' hand-off cell runs too:
papermill and JupyterLab refuse what the build refuses, with the same message. Here only what
is the build's own: `-p NAME=VALUE` or `-p NOTEBOOK:NAME=VALUE` as given text per notebook, and
the check that a notebook's parameters cell, read with papermill's own inspector, agrees with its
declaration (names, types and defaults): `check_cell`, run by the test suite.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ccp_analysis.errors import ParameterError
from ccp_analysis.figures import checks
from ccp_analysis.figures import parameters as rules
from ccp_analysis.figures.parameters import Param

# Set by the build itself, never by -p.
RESERVED = ("edition",)


def cell_parameters(notebook: Path) -> dict[str, Param]:
    """The parameters cell as papermill reads it: `name: type = literal  # help` lines."""
    from papermill.inspection import inspect_notebook

    try:
        found = inspect_notebook(str(notebook))
    except ValueError as exc:  # papermill: no cell tagged 'parameters', or not a notebook
        raise ParameterError(f"{notebook.name}: {exc}") from None
    if not found:
        raise ParameterError(f"{notebook.name}: expected exactly one cell tagged 'parameters' "
                             "with 'name: type = value' lines")
    result = {}
    for name, entry in found.items():
        type_name = entry["inferred_type_name"]
        if type_name not in rules.TYPES:
            raise ParameterError(f"{notebook.name}: parameter '{name}' has type {type_name}; "
                                 f"supported: {', '.join(rules.TYPES)}")
        try:
            default = ast.literal_eval(entry["default"])
        except (ValueError, SyntaxError):
            raise ParameterError(f"{notebook.name}: parameter '{name}' default "
                                 f"{entry['default']!r} is not a literal") from None
        if type(default) is not rules.TYPES[type_name]:
            raise ParameterError(f"{notebook.name}: parameter '{name}' default {default!r} "
                                 f"is not a {type_name}")
        result[name] = Param(name, type_name, default, str(entry.get("help") or ""))
    return result


def check_cell(notebook: Path) -> dict[str, Param]:
    """The parameters cell, read by papermill's inspector, must equal the declaration (names,
    types, defaults, in order); what a papermill or JupyterLab run starts from is then what the
    build and the README say. Returns the declared parameters."""
    wanted = checks.spec_of(notebook.stem).params()
    cell = cell_parameters(notebook)

    def lines(found: dict[str, Param]) -> list[tuple[str, str, object]]:
        return [(p.name, p.type_name, p.default) for p in found.values()]

    in_cell, declared = lines(cell), lines(wanted)
    if in_cell != declared:
        differ = sorted(set(in_cell) ^ set(declared), key=lambda line: line[0])
        shown = "; ".join(f"{n} {t} = {d!r} ({'cell' if (n, t, d) in in_cell else 'declared'})"
                          for n, t, d in differ) or (
            "the order: cell " + ", ".join(n for n, _, _ in in_cell) + "; declared "
            + ", ".join(n for n, _, _ in declared))
        raise ParameterError(f"{notebook.name}: the parameters cell disagrees with the "
                             f"declaration in ccp_analysis.figures: {shown}")
    return wanted


def parse_overrides(items: list[str]) -> list[tuple[str | None, str, str]]:
    """'-p name=value' or '-p notebook:name=value' as (notebook or None, name, value)."""
    parsed = []
    for item in items:
        if "=" not in item:
            raise ParameterError(f"-p {item!r}: expected NAME=VALUE or NOTEBOOK:NAME=VALUE")
        key, value = item.split("=", 1)
        notebook, _, name = key.rpartition(":")
        if not name:
            raise ParameterError(f"-p {item!r}: the parameter name is empty")
        parsed.append((notebook or None, name.strip(), value))
    return parsed


def per_notebook(notebooks: list[str], overrides: list[tuple[str | None, str, str]]
                 ) -> dict[str, dict[str, str]]:
    """The text each notebook's overrides set (checked later by the resolver); every override
    must name a parameter some notebook of the build declares."""
    declared = {nb: checks.spec_of(nb).params() for nb in notebooks}
    result: dict[str, dict[str, str]] = {name: {} for name in notebooks}
    for target, name, text in overrides:
        if name in RESERVED:
            raise ParameterError(f"parameter '{name}' is set by the build: use --{name}")
        if target is not None and target not in declared:
            raise ParameterError(f"-p {target}:{name}: notebook {target!r} is not in this build; "
                                 f"known: {', '.join(sorted(declared))}")
        names = [target] if target else sorted(declared)
        applied = False
        for nb in names:
            if name not in declared[nb]:
                # One notebook: the very message its hand-off cell gives under papermill.
                if target or len(names) == 1:
                    raise rules.unknown(nb, declared[nb], name)
                continue
            result[nb][name] = text
            applied = True
        if not applied:
            raise ParameterError(
                f"unknown parameter '{name}': no notebook of this build declares it; "
                + "; ".join(f"{nb}: {', '.join(p)}" for nb, p in sorted(declared.items())))
    return result
