"""`build -p` overrides: parsed, matched to notebooks, and checked before any kernel starts.

What a parameter accepts is declared once, in `ccp_analysis.figures`; the notebooks' hand-off
cell applies the same checks, so papermill and JupyterLab refuse what the build refuses, with
the same message. A notebook's parameters cell, read with papermill's own inspector, must agree
with its declaration (names, types and defaults): `check_cell`, run by the test suite.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from ccp_analysis.errors import ParameterError
from ccp_analysis.figures import checks
from ccp_analysis.figures import parameters as rules

SUPPORTED = rules.TYPES
# Set by the build itself, never by -p.
RESERVED = ("edition",)


@dataclass(frozen=True)
class Parameter:
    name: str
    type_name: str
    default: object


def cell_parameters(notebook: Path) -> dict[str, Parameter]:
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
        if type_name not in SUPPORTED:
            raise ParameterError(f"{notebook.name}: parameter '{name}' has type {type_name}; "
                                 f"supported: {', '.join(SUPPORTED)}")
        try:
            default = ast.literal_eval(entry["default"])
        except (ValueError, SyntaxError):
            raise ParameterError(f"{notebook.name}: parameter '{name}' default "
                                 f"{entry['default']!r} is not a literal") from None
        if type(default) is not SUPPORTED[type_name]:
            raise ParameterError(f"{notebook.name}: parameter '{name}' default {default!r} "
                                 f"is not a {type_name}")
        result[name] = Parameter(name, type_name, default)
    return result


def declared(notebook: Path) -> dict[str, Parameter]:
    """A notebook's parameters as its declaration in ccp_analysis.figures gives them.

    Cheap (no papermill import): the build passes every value to papermill explicitly, so the
    declaration, not the cell, decides what a build runs with. `check_cell` keeps the cell equal.
    """
    spec = checks.spec_of(notebook.stem)
    return {p.name: Parameter(p.name, p.type_name, p.default) for p in spec.parameters}


def check_cell(notebook: Path) -> dict[str, Parameter]:
    """The parameters cell, read by papermill's inspector, must equal the declaration; what a
    papermill or JupyterLab run starts from is then what the build and the README say."""
    wanted = declared(notebook)
    cell = cell_parameters(notebook)
    if cell != wanted:
        differ = sorted(set(cell.items()) ^ set(wanted.items()), key=lambda kv: kv[0])
        raise ParameterError(f"{notebook.name}: the parameters cell disagrees with the "
                             f"declaration in ccp_analysis.figures: "
                             + "; ".join(f"{n} {p.type_name} = {p.default!r}"
                                         f" ({'cell' if cell.get(n) == p else 'declared'})"
                                         for n, p in differ))
    return wanted


def coerce(notebook: str, param: Parameter, text: str) -> object:
    """A -p value (text) as the parameter's type, or the refusal every client gives."""
    return rules.coerce(notebook, checks.spec_of(notebook).params()[param.name], text)


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


def resolve(notebooks: dict[str, dict[str, Parameter]],
            overrides: list[tuple[str | None, str, str]]) -> dict[str, dict[str, object]]:
    """Typed values each notebook's overrides set; every override must apply somewhere."""
    result: dict[str, dict[str, object]] = {name: {} for name in notebooks}
    for target, name, text in overrides:
        if name in RESERVED:
            raise ParameterError(f"parameter '{name}' is set by the build: use --{name}")
        if target is not None and target not in notebooks:
            raise ParameterError(f"-p {target}:{name}: notebook {target!r} is not in this build; "
                                 f"known: {', '.join(sorted(notebooks))}")
        names = [target] if target else sorted(notebooks)
        applied = False
        for nb in names:
            param = notebooks[nb].get(name)
            if param is None:
                # One notebook: the very message its hand-off cell gives under papermill.
                if target or len(names) == 1:
                    raise rules.unknown(nb, checks.spec_of(nb).params(), name)
                continue
            result[nb][name] = coerce(nb, param, text)
            applied = True
        if not applied:
            raise ParameterError(
                f"unknown parameter '{name}': no notebook of this build declares it; "
                + "; ".join(f"{nb}: {', '.join(p)}" for nb, p in sorted(notebooks.items())))
    return result


def check_values(notebook: str, values: dict[str, object]) -> None:
    """Meaning checks: known choices, minimums, dates that parse, ranges that run forwards."""
    rules.check_values(notebook, checks.spec_of(notebook).params(), values)


# Parameters a figure reads only while another parameter has a given value: Figure 4 converts
# to USD with `fx_series`, and draws CNY without any exchange rate.
APPLIES_ONLY: dict[tuple[str, str], tuple[str, object]] = {
    ("fig4_huawei_revenue", "fx_series"): ("currency", "USD"),
}


def drop_ignored(notebook: str, values: dict[str, object], given: dict[str, object]
                 ) -> dict[str, object]:
    """The values without those the figure ignores under the others, so the manifest records
    only what the figure was drawn with. A value the user gave for an ignored parameter is
    refused: it would change nothing."""
    kept = dict(values)
    for (name, param), (other, needed) in APPLIES_ONLY.items():
        if name != notebook or param not in kept or kept.get(other) == needed:
            continue
        if param in given:
            raise ParameterError(
                f"notebook {notebook}: parameter {param!r} value {given[param]!r}: ignored when "
                f"{other} is {kept.get(other)!r} (it applies only with {other}={needed!r}); "
                f"leave {param} out")
        del kept[param]
    return kept
