"""What a notebook parameter accepts, and the one message each refusal gives.

Every client (`ccp-analysis build -p`, papermill's `-p`, a JupyterLab run) checks a value with
these functions, so a bad value gets the same words wherever it was given: the notebook, the
parameter, the value as typed, and what is accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ccp_analysis.errors import ParameterError

TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")
# An open end: the last year or day of the edition's data, resolved by the library, so that
# `edition` alone gives that edition's span in every client.
OPEN_END: dict[str, object] = {"int": 0, "str": ""}


@dataclass(frozen=True)
class Param:
    """One parameter of a notebook, as its parameters cell declares it."""

    name: str
    type_name: str  # str, int, float or bool
    default: object  # the literal of the parameters cell
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    is_date: bool = False  # a str holding YYYY-MM-DD
    open_end: bool = False  # the default (0 or '') means the last year/day of the data

    def describe(self) -> str:
        """What is accepted, in words (README table, `ccp-analysis params`)."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.is_date:
            return "a date YYYY-MM-DD" + (" or '' for the end of the data" if self.open_end
                                          else "")
        if self.minimum is not None:
            return f"a whole number of {self.minimum} or more"
        if self.open_end:
            return f"a year, or {self.default!r} for the last year of the data"
        if self.name.startswith("year_"):
            return "a year (a span reaching beyond the data is clamped to it)"
        return {"bool": "True or False", "int": "a whole number", "str": "text",
                "float": "a number"}[self.type_name]

    def shown_default(self) -> str:
        if self.open_end:
            return f"{self.default!r} (the last {'day' if self.is_date else 'year'} of the " \
                "edition's data)"
        return repr(self.default)


def refuse(notebook: str, name: str, value: object, expected: str) -> ParameterError:
    return ParameterError(f"notebook {notebook}: parameter '{name}' value {value!r}: {expected}")


def as_text(value: object) -> str:
    """A value as a user typed it: papermill hands over 2.5 or True, the build '2.5'/'True'."""
    return value if isinstance(value, str) else str(value)


def coerce(notebook: str, param: Param, value: object) -> object:
    """A value (text, or what papermill parsed) as the parameter's type, or the refusal."""
    if type(value) is TYPES[param.type_name]:
        return value
    text = as_text(value)
    try:
        if param.type_name == "bool":
            lowered = text.strip().lower()
            if lowered not in TRUE + FALSE:
                raise ValueError
            return lowered in TRUE
        if param.type_name == "int":
            return int(text)
        if param.type_name == "float":
            return float(text)
        return text
    except ValueError:
        raise refuse(notebook, param.name, text, f"expected {param.type_name} (default "
                     f"{param.shown_default()})") from None


def parse_date(notebook: str, param: Param, value: object) -> dt.date | None:
    if param.open_end and value == "":
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise refuse(notebook, param.name, value, "expected a date as YYYY-MM-DD"
                     + (" or '' for the end of the data" if param.open_end else "")) from None


def check_values(notebook: str, params: Mapping[str, Param], values: Mapping[str, object]) -> None:
    """Meaning checks on typed values: choices, minimums, dates, ranges that run forwards."""
    for name, param in params.items():
        if name not in values:
            continue
        value = values[name]
        if param.choices and value not in param.choices:
            raise refuse(notebook, name, value, "expected one of " + ", ".join(param.choices))
        if param.minimum is not None and int(value) < param.minimum:  # type: ignore[call-overload]
            raise refuse(notebook, name, value,
                         f"expected a whole number of {param.minimum} or more")
        if param.is_date:
            parse_date(notebook, param, value)
    for prefix in ("year", "date"):
        start_name, end_name = f"{prefix}_start", f"{prefix}_end"
        if start_name not in values or end_name not in values:
            continue
        start, end = values[start_name], values[end_name]
        if end_name in params and params[end_name].open_end and end == OPEN_END[
                params[end_name].type_name]:
            continue
        if prefix == "date":
            start = parse_date(notebook, params[start_name], start)
            end = parse_date(notebook, params[end_name], end)
        if start is not None and end is not None and end < start:  # type: ignore[operator]
            raise ParameterError(f"notebook {notebook}: parameter '{end_name}' value "
                                 f"{values[end_name]!r} is before '{start_name}' "
                                 f"{values[start_name]!r}")


def unknown(notebook: str, params: Mapping[str, Param], name: str) -> ParameterError:
    return ParameterError(f"notebook {notebook}: unknown parameter '{name}'; accepted: "
                          f"{', '.join(params)}")
