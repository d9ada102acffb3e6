"""data/processed: reading the tidy frames back, and the bytes they are written as.

The frames are declared in the registry (`schemas.FRAMES`) and built by `frame_builders`
(`ccp-analysis data build`), which the notebooks never import; this module only reads what the
build wrote, with the dtypes the registry declares.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ccp_analysis import paths
from ccp_analysis.data import schemas

DICTIONARY = "DATA_DICTIONARY.md"


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Deterministic CSV bytes: LF line ends, ISO dates, shortest round-trip floats."""
    frame.to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d",
                 encoding="utf-8")


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
