"""Notebook parameters: read from the `parameters` cell, overridden, checked before any kernel.

papermill only warns about unknown parameter names and never checks types, so a typo would
build a figure with the default silently. Here every override is checked against the names
and annotated types of the notebook's parameters cell, and values are checked for meaning
(dates, ranges, known series) before a single kernel starts.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from ccp_analysis.errors import ParameterError

SUPPORTED = {"str": str, "int": int, "float": float, "bool": bool}
# Set by the build itself, never by -p.
RESERVED = ("edition",)
CHOICES = {
    "currency": ("USD", "CNY"),
    "measure": ("price", "market_value"),
}


@dataclass(frozen=True)
class Parameter:
    name: str
    type_name: str
    default: object


def parameters_cell(notebook: Path) -> str:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{notebook.name}: expected exactly one cell tagged 'parameters', "
                             f"found {len(cells)}")
    return "".join(cells[0]["source"])


def declared(notebook: Path) -> dict[str, Parameter]:
    """The parameters of a notebook: `name: type = literal` lines of its parameters cell."""
    source = parameters_cell(notebook)
    found: dict[str, Parameter] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(node.annotation, ast.Name) and node.value is not None):
            raise ParameterError(f"{notebook.name}: parameters cell line {node.lineno}: "
                                 "expected 'name: type = value' with type str, int, float or bool")
        type_name = node.annotation.id
        if type_name not in SUPPORTED:
            raise ParameterError(f"{notebook.name}: parameter '{node.target.id}' has type "
                                 f"{type_name}; supported: {', '.join(SUPPORTED)}")
        default = ast.literal_eval(node.value)
        if type(default) is not SUPPORTED[type_name]:
            raise ParameterError(f"{notebook.name}: parameter '{node.target.id}' default "
                                 f"{default!r} is not a {type_name}")
        found[node.target.id] = Parameter(node.target.id, type_name, default)
    return found


def coerce(notebook: str, param: Parameter, text: str) -> object:
    """A -p value (text) as the parameter's type, or an error naming what is expected."""
    expected = f"expected {param.type_name}"
    try:
        if param.type_name == "bool":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return lowered in ("true", "1", "yes")
        if param.type_name == "int":
            return int(text)
        if param.type_name == "float":
            return float(text)
        return text
    except ValueError:
        raise ParameterError(f"notebook {notebook}: parameter '{param.name}' value {text!r}: "
                             f"{expected} (default {param.default!r})") from None


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
                if target:
                    raise ParameterError(
                        f"notebook {nb}: unknown parameter '{name}'; accepted: "
                        f"{', '.join(notebooks[nb])}")
                continue
            result[nb][name] = coerce(nb, param, text)
            applied = True
        if not applied:
            raise ParameterError(
                f"unknown parameter '{name}': no notebook of this build declares it; "
                + "; ".join(f"{nb}: {', '.join(p)}" for nb, p in sorted(notebooks.items())))
    return result


def _date(notebook: str, name: str, value: object) -> dt.date | None:
    if value == "":
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"notebook {notebook}: parameter '{name}' value {value!r}: expected "
                             "a date as YYYY-MM-DD" + (" or '' for the end of the data"
                                                       if name.endswith("_end") else "")) from None


def check_values(notebook: str, values: dict[str, object]) -> None:
    """Meaning checks: known choices, dates that parse, ranges that run forwards."""
    from ccp_analysis import fx  # light: no pandas work at import

    for name, allowed in CHOICES.items():
        if name in values and values[name] not in allowed:
            raise ParameterError(f"notebook {notebook}: parameter '{name}' value "
                                 f"{values[name]!r}: expected one of {', '.join(allowed)}")
    if "fx_series" in values and values["fx_series"] not in fx.SERIES:
        raise ParameterError(f"notebook {notebook}: parameter 'fx_series' value "
                             f"{values['fx_series']!r}: expected one of {', '.join(fx.SERIES)}")
    for prefix in ("year", "date"):
        start, end = values.get(f"{prefix}_start"), values.get(f"{prefix}_end")
        if prefix == "date":
            start = _date(notebook, "date_start", start) if start is not None else None
            end = _date(notebook, "date_end", end) if end is not None else None
        if start is not None and end is not None and end < start:
            raise ParameterError(f"notebook {notebook}: parameter '{prefix}_end' value "
                                 f"{values[f'{prefix}_end']!r} is before '{prefix}_start' "
                                 f"{values[f'{prefix}_start']!r}")
    for name in ("top_companies", "min_degree"):
        if name in values and int(values[name]) < 1:  # type: ignore[call-overload]
            raise ParameterError(f"notebook {notebook}: parameter '{name}' value "
                                 f"{values[name]!r}: expected a whole number of 1 or more")
