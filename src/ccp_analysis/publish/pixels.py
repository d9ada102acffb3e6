"""The pixel difference of two renderings of a figure, as an image a reviewer can read.

The new figure is shown faded to grey and every pixel that differs from the old one is painted
magenta, so a moved bar or label stands out wherever it is. Images of different sizes are
compared on a white canvas of the larger size, anchored top left.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter

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
    faded.paste(Image.new("RGB", size, HIGHLIGHT), (0, 0), mask.filter(ImageFilter.MaxFilter(7)))
    out_png.parent.mkdir(parents=True, exist_ok=True)
    faded.save(out_png, format="PNG", optimize=False)
    return PixelDiff(changed=changed, total=size[0] * size[1], box=mask.getbbox(),
                     old_size=old_size, new_size=new_size)
