"""A lead's photo: checked to be an image, kept under DATA_DIR/media/leads/<lead>/, never public."""

from __future__ import annotations

from jiuzhu.core.photos import PhotoFolder
from jiuzhu.leads.errors import LeadError, LeadErrorCode

_photos = PhotoFolder("leads", LeadError, LeadErrorCode)
root, checked_image, store, remove, path_of = (
    _photos.root,
    _photos.checked_image,
    _photos.store,
    _photos.remove,
    _photos.path_of,
)
