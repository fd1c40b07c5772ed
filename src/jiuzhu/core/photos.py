"""Photos people upload (a work order's evidence, a lead's picture): judged to be images by their content (Pillow),
never by their name or the browser's claim; kept under DATA_DIR/media/<folder>/<owner>/ and never served except
through a view that checks who is asking."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import models

from jiuzhu.core.errors import JiuzhuError

IMAGE_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class PhotoFolder:
    """One app's photos. `error` and `codes` are the app's own error class and code enum, which must have
    NOT_AN_IMAGE ({name}) and IMAGE_TOO_LARGE ({name}, {limit})."""

    folder: str
    error: type[JiuzhuError]
    codes: type[models.TextChoices]
    max_mb: int = 10

    def root(self) -> Path:
        return Path(settings.DATA_DIR) / "media" / self.folder

    def checked_image(self, upload) -> tuple[bytes, str, str]:
        """(bytes, content type, extension) of an uploaded photo; the app's error when it is not an image or is
        too large."""
        from PIL import Image, UnidentifiedImageError

        name = (getattr(upload, "name", "") or "照片")[:100]
        max_mb = self.max_mb
        limit = max_mb * 1024 * 1024
        if (getattr(upload, "size", None) or 0) > limit:
            raise self.error(self.codes.IMAGE_TOO_LARGE, name=name, limit=max_mb)
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise self.error(self.codes.IMAGE_TOO_LARGE, name=name, limit=max_mb)
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise self.error(self.codes.NOT_AN_IMAGE, name=name) from None
        if kind not in IMAGE_TYPES:
            raise self.error(self.codes.NOT_AN_IMAGE, name=name)
        content_type, extension = IMAGE_TYPES[kind]
        return data, content_type, extension

    def store(self, owner_id: int, data: bytes, extension: str) -> str:
        """Write the photo; returns its path relative to root()."""
        relative = f"{owner_id}/{uuid.uuid4().hex}.{extension}"
        target = self.root() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return relative

    def remove(self, relative: str) -> None:
        (self.root() / relative).unlink(missing_ok=True)

    def path_of(self, relative: str) -> Path:
        target = (self.root() / relative).resolve()
        if not target.is_relative_to(self.root().resolve()):  # never outside the folder, whatever the database says
            raise FileNotFoundError(relative)
        return target
