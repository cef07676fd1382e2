"""Charts as a PDF: each image one page, written by Pillow."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image

# Pixels per inch of the page: at 96 a 1200-pixel chart is a 12.5-inch wide page,
# which viewers fit to the window.
PDF_RESOLUTION = 96.0


def pdf_bytes(images: Sequence[Image.Image], title: str) -> bytes:
    if not images:
        raise ValueError("a PDF needs at least one page")
    pages = [image.convert("RGB") for image in images]  # PDF pages carry no alpha
    buffer = io.BytesIO()
    pages[0].save(
        buffer,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=PDF_RESOLUTION,
        title=title,
        creator="hogtree local server",
    )
    return buffer.getvalue()
