"""Uploaded images made safe: decoded and written again by Pillow, which proves the file is an image of an
allowed type and drops EXIF data such as the GPS position of the phone that took it; and thumbnails."""

from __future__ import annotations

import warnings
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

from app.services.errors import RuleViolation
from app.translated import lazy_gettext as _l

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is a decompression bomb, not a phone photo
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_BROKEN = (
    UnidentifiedImageError,
    OSError,
    ValueError,
    SyntaxError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


def reencode(data: bytes, field: str) -> tuple[str, bytes]:
    """The image format ("JPEG", "PNG", "WEBP") and the image written again without metadata, upright.

    RuleViolation on `field` for anything that is not such an image, or one with too many pixels.
    """
    try:
        with _opened(data) as image:
            return image.format or "", _saved(_upright(image, str(image.format)), str(image.format))
    except RuleViolation as problem:
        raise RuleViolation(problem.message, field=field) from None
    except _BROKEN:
        raise _not_an_image(field) from None


def thumbnail(data: bytes, image_format: str, size: tuple[int, int]) -> bytes:
    """A smaller copy (at most `size`, aspect kept) of an image `reencode` already cleaned."""
    with Image.open(BytesIO(data)) as image:
        small = image.copy()
    small.thumbnail(size)
    return _saved(small, image_format)


class _opened:
    """Open an image for reading, refusing bombs and formats other than EXTENSIONS."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __enter__(self) -> Image.Image:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(self.data)) as probe:
                probe.verify()
            self.image = Image.open(BytesIO(self.data))
            self.image.load()
        if str(self.image.format) not in EXTENSIONS:
            raise RuleViolation(_not_an_image("").message)
        if self.image.width * self.image.height > MAX_PIXELS:
            raise RuleViolation(_l("The photo has too many pixels."))
        return self.image

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "image"):
            self.image.close()


def _upright(image: Image.Image, image_format: str) -> Image.Image:
    upright = ImageOps.exif_transpose(image)
    if image_format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    return upright


def _saved(image: Image.Image, image_format: str) -> bytes:
    out = BytesIO()
    image.save(out, format=image_format)
    return out.getvalue()


def _not_an_image(field: str) -> RuleViolation:
    return RuleViolation(_l("This file is not a photo. Use a JPEG, PNG or WebP image."), field=field)
