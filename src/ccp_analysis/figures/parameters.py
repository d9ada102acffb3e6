"""What a notebook parameter accepts, and the one message each refusal gives.

Every client (`ccp-analysis build -p`, papermill's `-p`, a JupyterLab run) checks a value with
these functions, so a bad value gets the same words wherever it was given: the notebook, the
parameter, the value as typed, and what is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ccp_analysis.data import spans
from ccp_analysis.errors import ParameterError

TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")
# An open end (0 or ''): the last year or day of the edition's data, resolved in one place
# (`spans.resolve`), so that `edition` alone gives that edition's span in every client.
OPEN_END = spans.OPEN_END


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
    # (other parameter, value): the figure reads this one only while the other has that value
    # (Figure 4 converts to USD with `fx_series`; a CNY chart uses no rate).
    applies_only: tuple[str, object] | None = None

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


def in_notebook(notebook: str, exc: ParameterError) -> ParameterError:
    """A refusal of `spans` (which knows no notebook) with the notebook named first."""
    return ParameterError(f"notebook {notebook}: {exc}")


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
        if param.is_date and not (param.open_end and spans.is_open(value)):
            try:
                spans.as_date(name, value, open_end=param.open_end)
            except ParameterError as exc:
                raise in_notebook(notebook, exc) from None
    for prefix in ("year", "date"):
        start_name, end_name = f"{prefix}_start", f"{prefix}_end"
        if start_name not in values or end_name not in values:
            continue
        try:
            spans.check_order(start_name, values[start_name], end_name, values[end_name],
                              open_end=params[end_name].open_end)
        except ParameterError as exc:
            raise in_notebook(notebook, exc) from None
    for name, param in params.items():
        if param.applies_only is None or name not in values:
            continue
        other, needed = param.applies_only
        if values.get(other) != needed and values[name] != param.default:
            raise refuse(notebook, name, values[name], f"ignored when {other} is "
                         f"{values.get(other)!r} (it applies only with {other}={needed!r}); "
                         f"leave {name} out")


def unknown(notebook: str, params: Mapping[str, Param], name: str) -> ParameterError:
    return ParameterError(f"notebook {notebook}: unknown parameter '{name}'; accepted: "
                          f"{', '.join(params)}")
