"""The comparison of two versions as a page: each changed figure old beside new (each opens
full size), with a swipe, an onion skin and a pixel overlay to compare them in place; then the
rows (appended days or years as one range), verdicts, parameters and inputs that differ.

`ccp-analysis diff --html` and the gate's drift pages are self-contained: the images are copied
into a folder beside the page (`<page stem>_files/`) with the highlighted pixel difference, so
the page can be moved, archived or uploaded from CI as it is. The site's comparison pages
(`reports/<version>/changes.html`) link the versions' own figures instead and copy nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PIL import Image

from ccp_analysis.pipeline import versions
from ccp_analysis.publish import diff, pixels
from ccp_analysis.publish.render import render

MAX_ROWS = 200  # rows shown per table; the text form lists them all


def _size(path: Path) -> tuple[int | None, int | None]:
    with Image.open(path) as image:
        return image.size


def _image(path: Path, src: str, alt: str, caption: str) -> dict:
    width, height = _size(path)
    return {"src": src, "alt": alt, "caption": caption, "width": width, "height": height}


def _stack(old: dict | None, new: dict | None) -> dict | None:
    """Where old and new sit when laid over each other (swipe, onion skin, overlay): both on a
    canvas of the larger size, anchored top left, as the pixel difference compares them."""
    if not old or not new or not all((old["width"], old["height"], new["width"],
                                      new["height"])):
        return None
    width, height = max(old["width"], new["width"]), max(old["height"], new["height"])
    return {"width": width, "height": height,
            "old": f"{100 * old['width'] / width:.4f}%",
            "new": f"{100 * new['width'] / width:.4f}%"}


def _pixel_note(found: pixels.PixelDiff) -> str:
    sizes = ("" if found.old_size == found.new_size else
             f" The size changed from {found.old_size[0]}x{found.old_size[1]} to "
             f"{found.new_size[0]}x{found.new_size[1]} pixels.")
    return (f"{found.changed} of {found.total} pixels differ ({100 * found.share:.2f}%)"
            + (f", within the box left {found.box[0]}, top {found.box[1]}, right "
               f"{found.box[2]}, bottom {found.box[3]}." if found.box else
               "; the PNG differs only in its encoding.") + sizes)


def _figures(result: diff.VersionDiff, page: Path, assets: Path | None) -> list[dict]:
    """Each changed figure's images. With `assets`, copied there and the pixel difference drawn
    beside them; without, linked where they are (the site's pages: nothing is copied, and the
    overlay mode lays new over old in the browser)."""
    shown = []
    for change in result.figures:
        images: dict[str, dict | None] = {"old": None, "new": None, "diff": None}
        note = ""
        for side, version in (("old", result.old), ("new", result.new)):
            png = version.folder / "figures" / f"{change.name}.png"
            if not png.is_file():
                continue
            if assets is not None:
                shutil.copyfile(png, assets / f"{change.name}.{side}.png")
                src = f"{assets.name}/{change.name}.{side}.png"
            else:
                src = Path(os.path.relpath(png, page.parent)).as_posix()
            images[side] = _image(png, src, f"{change.heading} in {version.name}",
                                  f"{'Old' if side == 'old' else 'New'}: {version.name}")
        if assets is not None and images["old"] and images["new"]:
            out = assets / f"{change.name}.diff.png"
            found = pixels.compare(result.old.folder / "figures" / f"{change.name}.png",
                                   result.new.folder / "figures" / f"{change.name}.png", out)
            images["diff"] = _image(out, f"{assets.name}/{out.name}",
                                    f"Pixel difference of {change.heading}: the new figure in "
                                    "grey with every changed pixel in magenta",
                                    "Difference: changed pixels in magenta")
            note = _pixel_note(found)
        shown.append({"name": change.name, "heading": change.heading,
                      "status": change.status, "files": change.files, "pixels": note,
                      "images": [i for i in images.values() if i],
                      "old": images["old"], "new": images["new"], "diff": images["diff"],
                      "stack": _stack(images["old"], images["new"])})
    return shown


def _row_value(row: dict[str, str] | None) -> str:
    return "" if row is None else ", ".join(f"{k}={v}" for k, v in row.items())


def _tables(result: diff.VersionDiff) -> list[dict]:
    shown = []
    for table in result.tables:
        rows = []
        for change in table.changed:
            for column in change.columns:
                rows.append({"kind": "changed", "key": change.key_text(), "column": column,
                             "old": change.old.get(column, ""),
                             "new": change.new.get(column, "")})
        ranges = []
        for kind, group in (("added", table.added), ("removed", table.removed)):
            span = diff.span(group, table.key) if len(group) > 3 else None
            if span:  # appended days or years: one line, not a row each
                ranges.append(f"rows {kind}: {span}")
                continue
            rows += [{"kind": kind, "key": r.key_text(), "column": "",
                      "old": _row_value(r.old) if kind == "removed" else "",
                      "new": _row_value(r.new) if kind == "added" else ""} for r in group]
        if table.status == "changed":
            parts = [f"{n} {kind}" for n, kind in ((len(table.changed), "changed"),
                                                    (len(table.added), "added"),
                                                    (len(table.removed), "removed")) if n]
            sentence = "rows " + ", ".join(parts) if parts else "no row changed"
            if table.columns_added:
                sentence += "; columns added: " + ", ".join(table.columns_added)
            if table.columns_removed:
                sentence += "; columns removed: " + ", ".join(table.columns_removed)
        else:
            sentence = f"table {table.status}"
        shown.append({"name": table.name, "sentence": sentence, "key": table.key,
                      "ranges": ranges, "rows": rows[:MAX_ROWS],
                      "hidden": max(0, len(rows) - MAX_ROWS)})
    return shown


def _values(values: list[diff.ValueChange]) -> list[dict]:
    return [{"where": v.where, "old": "(absent)" if v.old is None else str(v.old),
             "new": "(absent)" if v.new is None else str(v.new)} for v in values]


def render_page(result: diff.VersionDiff, page: Path, intro: str = "",
                assets: Path | None = None, back: str = "") -> str:
    """The page's text. Images are copied into `assets` (with the pixel difference), or, when
    it is None, linked where they are relative to `page`."""
    sections = [(anchor, title, what, values) for anchor, title, what, values in (
        ("verdicts", "Claim verdicts that flipped", "claim", result.verdicts),
        ("parameters", "Parameters", "notebook.parameter", result.parameters),
        ("inputs", "Inputs", "input (sha256)", result.inputs),
        ("environment", "Environment", "package", result.environment)) if values]
    return render(
        "diff.html", d=result, intro=intro, summary=diff.summary(result), back=back,
        figures=_figures(result, page, assets), tables=_tables(result),
        values=[{"anchor": a, "title": t, "what": w, "rows": _values(v)}
                for a, t, w, v in sections],
        notebooks=result.notebooks)


def write(result: diff.VersionDiff, page: Path, intro: str = "") -> Path:
    """Write the page and its images (copied beside it, so it can be moved); returns the
    page's path."""
    page = page.resolve()
    page.parent.mkdir(parents=True, exist_ok=True)
    assets = page.with_name(f"{page.stem}_files")
    shutil.rmtree(assets, ignore_errors=True)
    assets.mkdir()
    text = render_page(result, page, intro, assets)
    versions.write_if_changed(page, text)
    if not any(assets.iterdir()):
        assets.rmdir()
    return page
