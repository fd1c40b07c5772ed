"""Photos of home investigations: content-checked images kept under DATA_DIR/media/cases/, served only through the
scoped case view."""

from __future__ import annotations

from jiuzhu.cases.errors import CaseError, CaseErrorCode
from jiuzhu.cases.models import Case, CaseAction, CasePhoto
from jiuzhu.core.photos import PhotoFolder

PHOTOS = PhotoFolder("cases", CaseError, CaseErrorCode)


def store_photo(*, case: Case, action: CaseAction, data: bytes, content_type: str, extension: str) -> CasePhoto:
    relative = PHOTOS.store(case.pk, data, extension)
    return CasePhoto.objects.create(case=case, action=action, file=relative, content_type=content_type)
