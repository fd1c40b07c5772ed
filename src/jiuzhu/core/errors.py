"""The one error base of jiuzhu: every domain error carries a code and a message a clerk can read."""

from __future__ import annotations

from django.db import models


class JiuzhuError(Exception):
    """Base of every domain error. `code` is a member of an app's error-code enum (a TextChoices).

    The message is the code's Chinese label (translatable) unless a more specific `detail` is given;
    `params` are interpolated into it with str.format.
    """

    def __init__(self, code: models.TextChoices, detail: str | None = None, **params: object) -> None:
        self.code = code
        self.params = params
        label = detail if detail is not None else str(code.label)
        self.message = label.format(**params) if params else label
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    @property
    def http_status(self) -> int:
        """403 for a refusal by role (every app names that code NOT_ALLOWED), 400 for anything else."""
        return 403 if self.code.value == "not_allowed" else 400


class NotFound(Exception):
    """A record that does not exist or lies outside the actor's jurisdiction: the two are never told apart."""
