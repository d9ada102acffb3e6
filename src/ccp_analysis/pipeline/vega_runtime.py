"""The JavaScript that draws the interactive charts, vendored once under reports/assets/.

vl-convert-python bundles vega-embed, Vega-Lite and Vega with all their dependencies into one
script with no import and no network access; it sets `window.vegaEmbed`, `window.vega` and
`window.vegaLite`. The file is named by its sha256 (`reports/assets/vega-<sha256[:16]>.js`), so
a version's page always loads the bytes its manifest records, a new runtime never overwrites an
old one, and nothing is fetched from elsewhere.
"""

from __future__ import annotations

import functools
import hashlib
import os
from importlib import metadata
from pathlib import Path

from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import versions

ASSETS = "assets"


@functools.cache
def bundle() -> tuple[str, str]:
    """(script text, sha256) of the runtime for the Vega-Lite version Altair writes."""
    import vl_convert

    from ccp_analysis.figures import interactive

    wanted = interactive.VEGA_LITE
    bundled = vl_convert.get_vegalite_versions()
    if wanted not in bundled:
        raise CcpError(f"vl-convert-python {metadata.version('vl-convert-python')} bundles no "
                       f"Vega-Lite {wanted} (it has {', '.join(bundled)}); pin a "
                       "vl-convert-python that does in constraints.txt")
    text = vl_convert.javascript_bundle(vl_version=f"v{wanted}")
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def record() -> dict[str, str]:
    """What a manifest says of the runtime: its path under reports/, sha256 and versions."""
    import vl_convert

    from ccp_analysis.figures import interactive

    _, sha = bundle()
    return {"path": f"{ASSETS}/vega-{sha[:16]}.js", "sha256": sha,
            "vega": vl_convert.get_vega_version(), "vega_lite": interactive.VEGA_LITE,
            "vega_embed": vl_convert.get_vega_embed_version(),
            "bundled_by": f"vl-convert-python {metadata.version('vl-convert-python')}"}


def ensure() -> dict[str, str]:
    """Write the runtime under reports/assets/ if it is not there (atomically), check the bytes
    of one that is, and return its record."""
    text, sha = bundle()
    entry = record()
    target = versions.reports() / entry["path"]
    if target.is_file():
        found = hashlib.sha256(target.read_bytes()).hexdigest()
        if found != sha:
            raise CcpError(f"{target}: sha256 {found}, expected {sha}; the vendored chart "
                           "runtime was changed by hand: delete it and build again")
        return entry
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)
    return entry


def verify(entry: dict[str, str], root: Path | None = None) -> Path:
    """The runtime file a manifest records, checked against its sha256."""
    target = (root or versions.reports()) / entry["path"]
    if not target.is_file():
        raise CcpError(f"{target}: the chart runtime the manifest records is missing")
    found = hashlib.sha256(target.read_bytes()).hexdigest()
    if found != entry["sha256"]:
        raise CcpError(f"{target}: sha256 {found}, the manifest records {entry['sha256']}")
    return target
