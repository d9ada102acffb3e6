"""data/processed: building every tidy frame from data/raw, and reading them back.

A build writes all frames into a temporary folder beside data/processed and swaps it in only
when every frame has been cleaned and validated, so bad input never leaves a partial or mixed
set of frames behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ccp_analysis import claimsfile, deals, fx, huawei, paths, schemas, stock, support

DICTIONARY = "DATA_DICTIONARY.md"

# Each builder gets the frames built before it, so a frame derived from another (revenue from
# rates, edges from deals) reuses it instead of reading and cleaning its raw file again.
Built = dict[str, pd.DataFrame]
BUILDERS: dict[str, Callable[[Built], pd.DataFrame]] = {
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
}


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Deterministic CSV bytes: LF line ends, ISO dates, shortest round-trip floats."""
    frame.to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d",
                 encoding="utf-8")


def build_frames(progress: Callable[[str], None] = lambda _: None,
                 check: Callable[[Built], None] = lambda _: None) -> dict[str, pd.DataFrame]:
    """Every frame built and validated; `check` then sees them all (see `build`)."""
    frames = {}
    for name, builder in BUILDERS.items():
        frame = builder(frames)
        frames[name] = schemas.validate(name, frame.reset_index(drop=True))
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


def _no_frames_because() -> str:
    """Why data/processed has no frame: not built yet, or the root is not the project (the
    package installed elsewhere finds the project only through CCP_ANALYSIS_ROOT)."""
    root = paths.project_root()
    if paths.raw_manifest().is_file():
        return "run 'ccp-analysis data build' first"
    given = os.environ.get(paths.ROOT_ENV)
    found = (f"{paths.ROOT_ENV} names {root}" if given
             else f"the project root was taken from where the package is installed ({root})")
    return (f"{found}, which holds no ccp-analysis project (no data/raw/MANIFEST.json); set "
            f"{paths.ROOT_ENV} to the folder of a checkout of the project, the one holding "
            "data/ and notebooks/")


# Frames already read in this process, by file: the file's identity when read (device, inode,
# size, modification time) and the frame. A notebook reads the same frames several times (its
# hand-off checks the range on the data, then the notebook loads it), and each read would parse
# the CSV and validate it against its schema again. A file replaced or edited since (a data
# build, an import) has another identity and is read anew. The build's kernel template reads
# every frame once before it forks (`preload`), so the kernels start with them.
_READ: dict[Path, tuple[tuple[int, int, int, int], pd.DataFrame]] = {}


def load(name: str) -> pd.DataFrame:
    """A processed frame with the dtypes its schema declares (a copy: callers may change it)."""
    if name not in schemas.FRAMES:
        raise KeyError(f"no processed frame {name!r}; known: {', '.join(schemas.FRAMES)}")
    path = paths.processed_dir() / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: {_no_frames_because()}")
    stat = path.stat()
    identity = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    read = _READ.get(path)
    if read is None or read[0] != identity:
        read = _READ[path] = (identity, _read(name, path))
    return read[1].copy()


def preload() -> None:
    """Read every processed frame into this process (see `_READ`); a frame that cannot be read
    is left for the reader that needs it, which then reports why."""
    for name in schemas.FRAMES:
        try:
            load(name)
        except Exception:  # noqa: BLE001, S112 - reported by the notebook that reads it
            continue


def _read(name: str, path: Path) -> pd.DataFrame:
    columns = schemas.FRAMES[name].columns
    # Text stays text ("" is an empty note, not a missing value); in every other column an
    # empty field is missing. The schema then converts each column to its declared dtype.
    table = pd.read_csv(path, dtype={c.name: str for c in columns if c.dtype == "str"},
                        keep_default_na=False,
                        na_values={c.name: [""] for c in columns if c.dtype != "str"})
    return schemas.coerce(name, table)
