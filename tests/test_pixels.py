"""The pixel difference widens each changed pixel to a square by shifted maxima
(`pixels._widen`): exactly what PIL's MaxFilter gives, at the image's edges too."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageFilter

from ccp_analysis.publish import pixels


def _mask(width: int, height: int, points: list[tuple[int, int, int]]) -> Image.Image:
    mask = Image.new("L", (width, height), 0)
    for x, y, value in points:
        mask.putpixel((x, y), value)
    return mask


@pytest.mark.parametrize("width", [3, 5, pixels.WIDEN])
def test_widening_gives_pils_max_filter_on_masks_of_every_shape(width):
    chosen = random.Random(width)  # fixed: the same masks on every run
    for _ in range(60):
        w, h = chosen.randint(1, 30), chosen.randint(1, 30)
        points = [(chosen.randrange(w), chosen.randrange(h), chosen.choice((255, 128, 7)))
                  for _ in range(chosen.randint(0, 12))]
        mask = _mask(w, h, points)
        assert pixels._widen(mask, width).tobytes() == \
            mask.filter(ImageFilter.MaxFilter(width)).tobytes(), (w, h, points)


def test_a_changed_pixel_in_a_corner_becomes_the_part_of_its_square_inside_the_image():
    widened = pixels._widen(_mask(10, 8, [(0, 7, 255)]), pixels.WIDEN)
    inside = {(x, y) for x in range(10) for y in range(8) if widened.getpixel((x, y))}
    assert inside == {(x, y) for x in range(4) for y in range(4, 8)}
