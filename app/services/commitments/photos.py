"""Photos with progress updates: checked to be real images, stripped of metadata, stored under a random name.

Files live in PROGRESS_PHOTO_DIR (default: STORAGE_DIR's `uploads/progress`), never in the database.
Every photo is decoded and written again by Pillow: that proves it is an image of an allowed type and drops
EXIF data such as the GPS position of the phone that took it.
"""

from __future__ import annotations

import re
import secrets
import warnings
from io import BytesIO
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from app.services.errors import RuleViolation
from app.translated import lazy_gettext as _l

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is a decompression bomb, not a phone photo
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_NAME = re.compile(r"[A-Za-z0-9_-]{22}\.(jpg|png|webp)")


def photo_dir() -> Path:
    return Path(current_app.config["PROGRESS_PHOTO_DIR"])


def store_photo(data: bytes) -> str:
    """Check, clean and store a photo; returns its new file name. RuleViolation (field "photo") if it is not
    a JPEG, PNG or WebP image of at most 5 MB."""
    if len(data) > MAX_PHOTO_BYTES:
        raise RuleViolation(_l("The photo is too large: at most 5 MB."), field="photo")
    image_format, cleaned = _clean_image(data)
    name = f"{secrets.token_urlsafe(16)}.{EXTENSIONS[image_format]}"
    folder = photo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(cleaned)
    return name


def _clean_image(data: bytes) -> tuple[str, bytes]:
    not_a_photo = RuleViolation(_l("This file is not a photo. Use a JPEG, PNG or WebP image."), field="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                probe.verify()
            with Image.open(BytesIO(data)) as image:
                image_format = str(image.format)
                if image_format not in EXTENSIONS:
                    raise not_a_photo
                if image.width * image.height > MAX_PIXELS:
                    raise RuleViolation(_l("The photo has too many pixels."), field="photo")
                upright = ImageOps.exif_transpose(image)
                if image_format == "JPEG" and upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                out = BytesIO()
                upright.save(out, format=image_format)
    except RuleViolation:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise not_a_photo from None
    return image_format, out.getvalue()


def photo_file(name: str) -> Path | None:
    """The stored file of a photo name, or None for a name that cannot be one of ours."""
    if not _NAME.fullmatch(name):
        return None
    path = photo_dir() / name
    return path if path.is_file() else None


def mimetype(name: str) -> str:
    return MIMETYPES[name.rsplit(".", 1)[-1]]


def discard_photo(name: str | None) -> None:
    """Remove a stored photo whose update was not saved."""
    if name and _NAME.fullmatch(name):
        (photo_dir() / name).unlink(missing_ok=True)
