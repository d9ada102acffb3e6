"""How each frame of the registry is built from data/raw, attached to it by name, and the build.

The registry (`schemas.FRAMES`) declares every frame; this module attaches to each the function
that cleans it (`BUILDERS`) and writes data/processed. No notebook imports this module or the
cleaning modules it calls (support, huawei, fx, stock, deals, claimsfile, raw, money,
revisions), so a cleaning change that leaves data/processed byte-identical changes no run key and
reruns no notebook (`pipeline.fingerprint.code_files`). A registry entry without a builder, or a
builder for a frame the registry does not declare, is refused when this module is imported.

A build writes all frames into a temporary folder beside data/processed and swaps it in only
when every frame has been cleaned and validated, so bad input never leaves a partial or mixed
set of frames behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ccp_analysis import paths
from ccp_analysis.data import schemas
from ccp_analysis.data.parsing import raw
from ccp_analysis.data.processed import DICTIONARY, write_csv
from ccp_analysis.data.sources import claimsfile, deals, fx, huawei, stock, support
from ccp_analysis.errors import InputError

# Each builder gets the frames built before it (in the registry's order), so a frame derived
# from another (revenue from rates, edges from deals) reuses it instead of reading and cleaning
# its raw file again.
Built = dict[str, pd.DataFrame]
Builder = Callable[[Built], pd.DataFrame]


def attach(builders: Mapping[str, Builder],
           frames: Mapping[str, schemas.Frame] = schemas.FRAMES) -> dict[str, Builder]:
    """The builders in the registry's order, one per registered frame; a frame without a
    builder, or a builder for no frame, is refused naming them."""
    missing = [name for name in frames if name not in builders]
    unknown = [name for name in builders if name not in frames]
    if missing or unknown:
        said = []
        if missing:
            said.append(f"registered frame(s) without a builder: {', '.join(missing)}")
        if unknown:
            said.append(f"builder(s) for no registered frame: {', '.join(unknown)}")
        raise TypeError("frame builders (src/ccp_analysis/data/frame_builders.py) and the frame "
                        f"registry (src/ccp_analysis/data/schemas.py) disagree: {'; '.join(said)}; "
                        "add a registry entry and its builder together")
    return {name: builders[name] for name in frames}


BUILDERS: dict[str, Builder] = attach({
    "huawei_state_support": lambda _: support.state_support("huawei"),
    "alibaba_state_support": lambda _: support.state_support("alibaba"),
    "state_support_relations": lambda built: support.relations(pd.concat(
        [built["huawei_state_support"], built["alibaba_state_support"]], ignore_index=True)),
    "state_support_estimates": lambda _: support.estimates(),
    "fx_rates": lambda _: fx.rates(),
    "huawei_revenue": lambda built: huawei.revenue(built["fx_rates"]),
    "alibaba_stock": lambda _: stock.alibaba_stock(),
    "malaysia_deals": lambda _: deals.malaysia_deals(),
    "malaysia_deal_parties": lambda built: deals.deal_parties(built["malaysia_deals"]),
    "malaysia_deal_edges": lambda built: deals.deal_edges(built["malaysia_deals"],
                                                          built["malaysia_deal_parties"]),
    "ai_park_network": lambda _: deals.ai_park_network(),
    "alibaba_ipo": lambda _: stock.alibaba_ipo(),
    "report_claims": lambda _: claimsfile.read(),
})


def build_frames(progress: Callable[[str], None] = lambda _: None,
                 check: Callable[[Built], None] = lambda _: None,
                 builders: Mapping[str, Builder] | None = None) -> dict[str, pd.DataFrame]:
    """Every frame built and validated; `check` then sees them all (see `build`). builders:
    others than `BUILDERS` (checked against the registry the same way)."""
    chosen = BUILDERS if builders is None else attach(builders)
    frames: Built = {}
    for name, builder in chosen.items():
        frame = builder(frames)
        frames[name] = validate(name, frame.reset_index(drop=True))
        progress(f"{name}: {len(frame)} rows")
    check(frames)
    return frames


def build(progress: Callable[[str], None] = lambda _: None,
          check: Callable[[Built], None] = lambda _: None) -> Path:
    """Rebuild data/processed atomically; returns its path. `check` is run on the built frames
    before anything is written: the checks of a layer above this one, which this layer cannot
    import (the command line passes `ccp_analysis.claims.check_frames`: claims.csv's methods)."""
    target = paths.processed_dir()
    frames = build_frames(progress, check)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".processed-", dir=target.parent))
    try:
        for name, frame in frames.items():
            write_csv(frame, staging / f"{name}.csv")
        (staging / DICTIONARY).write_text(schemas.data_dictionary() + "\n", encoding="utf-8")
        os.chmod(staging, 0o755)
        _swap(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _swap(staging: Path, target: Path) -> None:
    """Replace target by staging with renames only, so a crash leaves one or the other whole."""
    if target.exists():
        old = target.with_name(f".processed-old-{os.getpid()}")
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old)
    else:
        os.replace(staging, target)


def validate(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame, validated; a failure is reported as the raw file, line, field and value it
    comes from (every frame built from a raw row carries its line), not as pandera's view of
    the processed frame."""
    try:
        return schemas.FRAMES[name].schema().validate(frame, lazy=False)
    except pa.errors.SchemaError as exc:
        raise _raw_error(name, frame, exc) from None


# Processed column -> the raw column it is read from, where the names differ.
RAW_FIELDS = {"close_usd": "close", "adj_close_usd": "adj_close", "volume_ads": "volume",
              "price_source": "source", "shares_ads_equivalent": "ads_equivalent",
              "shares_as_of": "as_of_date", "shares_status": "status"}


def _raw_error(name: str, frame: pd.DataFrame, exc: pa.errors.SchemaError) -> InputError:
    cases = exc.failure_cases
    column = getattr(exc.schema, "name", None) if isinstance(exc.schema, pa.Column) else None
    if isinstance(cases, pd.DataFrame) and "column" in cases and column is None:
        column = str(cases["column"].iloc[0])
    rows = []
    if isinstance(cases, pd.DataFrame) and "index" in cases:
        rows = [i for i in dict.fromkeys(cases["index"].tolist()) if i in frame.index]
    declared = schemas.FRAMES[name]
    if not rows:
        value = cases["failure_case"].iloc[0] if isinstance(cases, pd.DataFrame) else cases
        return InputError(f"data/processed/{name}.csv (built from "
                          f"{', '.join(schemas.raw_path(s) for s in declared.sources)})",
                          None, column, value, _expected(exc))
    row = frame.loc[rows[0]]
    file = (row["raw_file"] if "raw_file" in frame else
            raw.display_path(declared.sources[0]))
    if not str(file).startswith("data/raw/"):
        file = raw.display_path(str(file))
    line = int(row["raw_line"]) if "raw_line" in frame else None
    field = RAW_FIELDS.get(column or "", column)
    if name == "fx_rates" and column == "cny_per_usd":
        field = fx.SERIES[row["fx_series"]][0]
    if line is None and "year" in frame:
        field = f"{field} (year {row['year']})"
    value = row[column] if column in frame else cases["failure_case"].iloc[0]
    expected = _expected(exc)
    if exc.reason_code == pa.errors.SchemaErrorReason.DUPLICATES and "raw_line" in frame:
        others = [int(frame.loc[i, "raw_line"]) for i in rows[1:]]
        expected = ("a value not repeated" + (f" (also on line(s) {', '.join(map(str, others))})"
                                             if others else ""))
    if isinstance(value, pd.Timestamp):
        value = value.strftime("%Y-%m-%d")
    elif hasattr(value, "item"):
        value = value.item()
    return InputError(file, line, field, value, expected)


def _expected(exc: pa.errors.SchemaError) -> str:
    check = exc.check
    text = str(getattr(check, "error", None) or check or exc.reason_code)
    words = {"greater_than(0)": "a value above 0", "isin": "one of the allowed values"}
    for key, said in words.items():
        if key in text:
            return said
    if exc.reason_code == pa.errors.SchemaErrorReason.DUPLICATES:
        return "a value not repeated"
    return text
