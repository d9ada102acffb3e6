"""The pixel difference of two renderings of a figure, as an image a reviewer can read.

The new figure is shown faded to grey and every pixel that differs from the old one is painted
magenta, so a moved bar or label stands out wherever it is. Images of different sizes are
compared on a white canvas of the larger size, anchored top left.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops

HIGHLIGHT = (230, 0, 126)
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class PixelDiff:
    changed: int  # pixels that differ
    total: int  # pixels of the compared canvas
    box: tuple[int, int, int, int] | None  # left, top, right, bottom of the changes
    old_size: tuple[int, int]
    new_size: tuple[int, int]

    @property
    def share(self) -> float:
        return self.changed / self.total if self.total else 0.0


def _canvas(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    canvas = Image.new("RGB", size, WHITE)
    # Transparent areas count as white, as the figure shows on the page.
    rgba = image.convert("RGBA")
    canvas.paste(rgba, (0, 0), rgba)
    return canvas


# Each changed pixel is shown as a square this many pixels wide (odd: centred on it).
WIDEN = 7


def _shifted(mask: Image.Image, dx: int, dy: int) -> Image.Image:
    """`mask` moved by (dx, dy), the uncovered edge filled with 0."""
    width_px, height_px = mask.size
    moved = Image.new(mask.mode, mask.size, 0)
    box = (max(0, -dx), max(0, -dy), width_px - max(0, dx), height_px - max(0, dy))
    if box[0] < box[2] and box[1] < box[3]:  # a shift as long as the image leaves only 0s
        moved.paste(mask.crop(box), (max(0, dx), max(0, dy)))
    return moved


def _widen(mask: Image.Image, width: int) -> Image.Image:
    """The largest value of each `width` x `width` square around each pixel (the window cut at
    the image's edges): exactly `mask.filter(ImageFilter.MaxFilter(width))`, which compares
    width**2 pixels for each pixel of a 300 dpi image. A square's maximum is the maximum of
    its rows' maxima, so the mask is shifted and combined along each axis in turn, every
    shift filled with 0 (the smallest value, so a cut window keeps its maximum)."""
    reach = width // 2
    out = mask
    for axis in ((1, 0), (0, 1)):
        widest = out
        for step in range(-reach, reach + 1):
            if step:
                widest = ImageChops.lighter(widest, _shifted(out, axis[0] * step, axis[1] * step))
        out = widest
    return out


def compare(old_png: Path, new_png: Path, out_png: Path) -> PixelDiff:
    """Write the highlighted difference of two PNGs to `out_png` and say how much differs."""
    with Image.open(old_png) as old_image, Image.open(new_png) as new_image:
        size = (max(old_image.width, new_image.width), max(old_image.height, new_image.height))
        old, new = _canvas(old_image, size), _canvas(new_image, size)
        old_size, new_size = old_image.size, new_image.size
    mask = ImageChops.difference(old, new).convert("L").point(lambda v: 255 if v else 0)
    changed = mask.histogram()[255]
    faded = Image.blend(new.convert("L").convert("RGB"), Image.new("RGB", size, WHITE), 0.7)
    # Widened for display only: a one-pixel change at 300 dpi vanishes when the page scales
    # the image down; the count above is of the exact pixels.
    faded.paste(Image.new("RGB", size, HIGHLIGHT), (0, 0), _widen(mask, WIDEN))
    out_png.parent.mkdir(parents=True, exist_ok=True)
    faded.save(out_png, format="PNG", optimize=False)
    return PixelDiff(changed=changed, total=size[0] * size[1], box=mask.getbbox(),
                     old_size=old_size, new_size=new_size)
