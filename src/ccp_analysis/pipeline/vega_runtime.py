"""The JavaScript that draws the interactive charts, vendored once under reports/assets/.

vl-convert-python bundles vega-embed, Vega-Lite and Vega with all their dependencies into one
script with no import and no network access; it sets `window.vegaEmbed`, `window.vega` and
`window.vegaLite`. The file is named by its sha256 (`reports/assets/vega-<sha256[:16]>.js`), so
a version's page always loads the bytes its manifest records, a new runtime never overwrites an
old one, and nothing is fetched from elsewhere.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import versions

ASSETS = "assets"
# Run by `prefetch` in a process of its own: the script text of Vega-Lite version argv[2] into
# the file argv[1] (vl_convert alone: `bundle` checks the version before it takes the text).
_BUNDLE_TO_FILE = """
import os, sys
import vl_convert
partial = sys.argv[1] + ".partial"
with open(partial, "w", encoding="utf-8", newline="") as out:
    out.write(vl_convert.javascript_bundle(vl_version="v" + sys.argv[2]))
os.replace(partial, sys.argv[1])
"""
# The prefetching process and the file it writes, while one runs (see `prefetch`).
_prefetch: tuple[subprocess.Popen, Path] | None = None


def prefetch() -> None:
    """Start bundling the runtime in a background process at the lowest CPU priority.

    Bundling takes seconds of CPU, all of it after the notebooks of a build ran, when their
    version is assembled. Started before the notebooks run, it uses the time a core would
    otherwise idle (kernel starts, the last notebook running alone), and `bundle` takes its
    result. Never needed for correctness: whatever goes wrong, `bundle` bundles itself."""
    global _prefetch
    if _prefetch is not None or bundle.cache_info().currsize:
        return
    from ccp_analysis.figures import interactive

    target = Path(tempfile.mkdtemp(prefix="ccp-vega-")) / "runtime.js"
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", _BUNDLE_TO_FILE, str(target), interactive.VEGA_LITE],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=_lowest_priority if hasattr(os, "nice") else None)
    except OSError:
        shutil.rmtree(target.parent, ignore_errors=True)
        return
    _prefetch = (process, target)
    atexit.register(_discard)


def _discard() -> None:
    """At exit, a prefetch never taken (the build failed): stopped, its file removed."""
    global _prefetch
    if _prefetch is None:
        return
    process, target = _prefetch
    _prefetch = None
    if process.poll() is None:
        process.kill()
        process.wait()
    shutil.rmtree(target.parent, ignore_errors=True)


def _lowest_priority() -> None:
    os.nice(19)


def _prefetched() -> str | None:
    """The prefetching process's script text (None if it failed). Now that the text is needed
    it is waited for at this process's own priority where the system allows raising it back
    (on a quiet machine it then runs alone anyway)."""
    global _prefetch
    if _prefetch is None:
        return None
    process, target = _prefetch
    _prefetch = None
    try:
        if process.poll() is None:
            with contextlib.suppress(OSError, AttributeError):  # not allowed, or not POSIX
                os.setpriority(os.PRIO_PROCESS, process.pid,
                               os.getpriority(os.PRIO_PROCESS, 0))
            process.wait()
        if process.returncode != 0 or not target.is_file():
            return None
        with target.open(encoding="utf-8", newline="") as found:
            return found.read()
    finally:
        shutil.rmtree(target.parent, ignore_errors=True)


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
    text = _prefetched()
    if text is None:
        text = vl_convert.javascript_bundle(vl_version=f"v{wanted}")
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _made_by() -> dict[str, str]:
    """The versions a runtime record names besides its file: what the bundle is made from."""
    import vl_convert

    from ccp_analysis.figures import interactive

    return {"vega": vl_convert.get_vega_version(), "vega_lite": interactive.VEGA_LITE,
            "vega_embed": vl_convert.get_vega_embed_version(),
            "bundled_by": f"vl-convert-python {metadata.version('vl-convert-python')}"}


def record() -> dict[str, str]:
    """What a manifest says of the runtime: its path under reports/, sha256 and versions."""
    _, sha = bundle()
    return {"path": f"{ASSETS}/vega-{sha[:16]}.js", "sha256": sha, **_made_by()}


def vendored() -> dict[str, str] | None:
    """The record of the runtime this bundler makes for this Vega-Lite, when a published
    version already records it and its file under reports/assets/ has the recorded sha256;
    None otherwise.

    The bundle is a function of those versions alone (the same versions give the same bytes:
    tests/test_interactive.py bundles afresh and compares with the vendored file), so a build
    that finds it takes it as it is, without bundling again (a couple of CPU-seconds)."""
    wanted = _made_by()
    reports = versions.reports()
    for version in versions.all_versions():
        try:
            entry = versions.manifest(version).get("chart_runtime")
        except (OSError, ValueError):
            continue
        if (not isinstance(entry, dict) or set(entry) != {"path", "sha256", *wanted}
                or any(entry[key] != value for key, value in wanted.items())
                or not isinstance(entry["sha256"], str)
                or entry["path"] != f"{ASSETS}/vega-{entry['sha256'][:16]}.js"):
            continue
        try:
            verify(entry, reports)
        except CcpError:  # missing or changed by hand: not taken
            continue
        return dict(entry)
    return None


def copy_into(folder: Path) -> dict[str, str]:
    """Write the runtime into `folder` (an export's own copy, at the record's path) and return
    its record: the vendored file when there is one (`vendored`), else a fresh bundle."""
    entry = vendored()
    if entry is None:
        text, _ = bundle()
        entry, content = record(), text.encode("utf-8")
    else:
        content = (versions.reports() / entry["path"]).read_bytes()
    target = folder / entry["path"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return entry


def ensure() -> dict[str, str]:
    """Write the runtime under reports/assets/ if it is not there (atomically), check the bytes
    of one that is, and return its record. A runtime a published version already records for
    this bundler is taken as it is (`vendored`)."""
    known = vendored()
    if known is not None:
        return known
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
