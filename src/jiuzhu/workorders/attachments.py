"""Photos of work orders: checked to be images, kept under DATA_DIR/media/workorders/<order>/, never public."""

from __future__ import annotations

from jiuzhu.core.photos import PhotoFolder
from jiuzhu.workorders.errors import WorkOrderError, WorkOrderErrorCode

_photos = PhotoFolder("workorders", WorkOrderError, WorkOrderErrorCode)
root, checked_image, store, remove, path_of = (
    _photos.root,
    _photos.checked_image,
    _photos.store,
    _photos.remove,
    _photos.path_of,
)
