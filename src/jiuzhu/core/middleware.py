from __future__ import annotations

from django.http import Http404

from jiuzhu.core.errors import NotFound


class NotFoundMiddleware:
    """A selector's NotFound (missing or outside the jurisdiction) is a 404 on every page, told apart from nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404 from exception
        return None
