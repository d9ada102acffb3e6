"""Every path of the project, from one place.

The project root is found from this file (src layout) unless CCP_ANALYSIS_ROOT names another
copy of the project; the build passes it to every kernel, so notebooks find their data from any
working directory, and tests can point the library at a temporary copy of the project.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "CCP_ANALYSIS_ROOT"
# Where a build wants a notebook's figures and tables; unset in an interactive or nbval run,
# which then writes nothing. An environment variable, not a parameter, so no path enters a
# notebook. Here, with the root, so the build and the gate name it without importing the
# figure library (matplotlib, pandas, altair) for a constant.
OUTPUT_ENV = "CCP_OUTPUT_DIR"


def project_root() -> Path:
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def raw_dir() -> Path:
    return project_root() / "data" / "raw"


def raw_manifest() -> Path:
    return raw_dir() / "MANIFEST.json"


def processed_dir() -> Path:
    return project_root() / "data" / "processed"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def reports_dir() -> Path:
    return project_root() / "reports"


def run_record() -> Path:
    """runs.json: the run keys of later builds that reproduced a committed version (the run
    record's half that is not in the manifests; pipeline/runrecord.py)."""
    return project_root() / "runs.json"


def cache_dir() -> Path:
    return project_root() / ".cache" / "notebooks"


def package_dir() -> Path:
    return Path(__file__).resolve().parent


# A figure's interactive twin beside its PNG/SVG/PDF: figures/<name>.vl.json (Vega-Lite).
CHART_SUFFIX = ".vl.json"


def is_chart_spec(path: Path) -> bool:
    """figures/<name>.vl.json is a chart spec, not a figure's sidecar (<name>.json)."""
    return path.name.endswith(CHART_SUFFIX)
