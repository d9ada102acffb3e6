"""What a version page needs to draw each figure's interactive twin.

The spec (`figures/<name>.vl.json`, an output the gate compares) is inlined in the page, since a
page opened from the file system may not read a neighbouring file with fetch(); the runtime is
the one script the manifest records under `reports/assets/`, loaded by a relative path. A
version without a recorded runtime (built before the charts existed) shows its static figures
only.
"""

from __future__ import annotations

import json
from pathlib import Path

from ccp_analysis import paths
from ccp_analysis.pipeline import vega_runtime


def runtime(manifest: dict, own: Path | None = None) -> dict | None:
    """The recorded runtime with its path relative to the version's page, checked against its
    sha256; None when the version records none. `own`: a folder outside reports/ (an export)
    that holds its own copy, beside its page."""
    entry = manifest.get("chart_runtime")
    if not entry:
        return None
    vega_runtime.verify(entry, own)
    return {**entry, "src": entry["path"] if own is not None else f"../{entry['path']}"}


def spec_text(folder: Path, name: str) -> str | None:
    """The chart's spec as it can stand inside a <script> element of the page: compact, without
    `$schema` (a URL naming the Vega-Lite version, which the page states to vega-embed itself,
    so no address outside the page appears in it), and every '<' written as the JSON escape
    \\u003c, so no '</script>' or '<!--' in a text can end or bend the element."""
    path = folder / "figures" / f"{name}{paths.CHART_SUFFIX}"
    if not path.is_file():
        return None
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec.pop("$schema", None)
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c")
