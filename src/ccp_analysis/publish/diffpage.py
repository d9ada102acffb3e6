"""The comparison of two versions as a page: each changed figure old beside new with its
highlighted pixel difference, then the rows, verdicts, parameters and inputs that differ.

The page is self-contained: the images it shows are copied into a folder beside it
(`<page stem>_files/`), so it can be moved, archived or uploaded from CI as it is.
"""

from __future__ import annotations

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


def _figures(result: diff.VersionDiff, assets: Path) -> list[dict]:
    shown = []
    for change in result.figures:
        old_png = result.old.folder / "figures" / f"{change.name}.png"
        new_png = result.new.folder / "figures" / f"{change.name}.png"
        rel = assets.name
        images, note = [], ""
        if old_png.is_file():
            shutil.copyfile(old_png, assets / f"{change.name}.old.png")
            images.append(_image(old_png, f"{rel}/{change.name}.old.png",
                                 f"{change.heading} in {result.old.name}",
                                 f"Old: {result.old.name}"))
        if new_png.is_file():
            shutil.copyfile(new_png, assets / f"{change.name}.new.png")
            images.append(_image(new_png, f"{rel}/{change.name}.new.png",
                                 f"{change.heading} in {result.new.name}",
                                 f"New: {result.new.name}"))
        if old_png.is_file() and new_png.is_file():
            out = assets / f"{change.name}.diff.png"
            found = pixels.compare(old_png, new_png, out)
            images.append(_image(out, f"{rel}/{out.name}",
                                 f"Pixel difference of {change.heading}: the new figure in "
                                 "grey with every changed pixel in magenta",
                                 "Difference: changed pixels in magenta"))
            sizes = ("" if found.old_size == found.new_size else
                     f" The size changed from {found.old_size[0]}x{found.old_size[1]} to "
                     f"{found.new_size[0]}x{found.new_size[1]} pixels.")
            note = (f"{found.changed} of {found.total} pixels differ "
                    f"({100 * found.share:.2f}%)"
                    + (f", within the box left {found.box[0]}, top {found.box[1]}, right "
                       f"{found.box[2]}, bottom {found.box[3]}." if found.box else
                       "; the PNG differs only in its encoding.") + sizes)
        shown.append({"name": change.name, "heading": change.heading,
                      "status": change.status, "files": change.files, "pixels": note,
                      "images": images})
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
        rows += [{"kind": "added", "key": r.key_text(), "column": "",
                  "old": "", "new": _row_value(r.new)} for r in table.added]
        rows += [{"kind": "removed", "key": r.key_text(), "column": "",
                  "old": _row_value(r.old), "new": ""} for r in table.removed]
        if table.status == "changed":
            parts = [f"{len(table.changed)} changed", f"{len(table.added)} added",
                     f"{len(table.removed)} removed"]
            sentence = "rows " + ", ".join(parts)
            if table.columns_added:
                sentence += "; columns added: " + ", ".join(table.columns_added)
            if table.columns_removed:
                sentence += "; columns removed: " + ", ".join(table.columns_removed)
        else:
            sentence = f"table {table.status}"
        shown.append({"name": table.name, "sentence": sentence, "key": table.key,
                      "rows": rows[:MAX_ROWS], "hidden": max(0, len(rows) - MAX_ROWS)})
    return shown


def _values(values: list[diff.ValueChange]) -> list[dict]:
    return [{"where": v.where, "old": "(absent)" if v.old is None else str(v.old),
             "new": "(absent)" if v.new is None else str(v.new)} for v in values]


def write(result: diff.VersionDiff, page: Path, intro: str = "") -> Path:
    """Write the page and its images; returns the page's path."""
    page = page.resolve()
    page.parent.mkdir(parents=True, exist_ok=True)
    assets = page.with_name(f"{page.stem}_files")
    shutil.rmtree(assets, ignore_errors=True)
    assets.mkdir()
    sections = [(anchor, title, what, values) for anchor, title, what, values in (
        ("verdicts", "Claim verdicts that flipped", "claim", result.verdicts),
        ("parameters", "Parameters", "notebook.parameter", result.parameters),
        ("inputs", "Inputs", "input (sha256)", result.inputs),
        ("environment", "Environment", "package", result.environment)) if values]
    text = render(
        "diff.html", d=result, intro=intro, summary=diff.summary(result),
        figures=_figures(result, assets), tables=_tables(result),
        values=[{"anchor": a, "title": t, "what": w, "rows": _values(v)}
                for a, t, w, v in sections],
        notebooks=result.notebooks)
    versions.write_if_changed(page, text)
    if not any(assets.iterdir()):
        assets.rmdir()
    return page
