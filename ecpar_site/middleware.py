"""Middleware of the whole site."""

from django.http import QueryDict

from enterprises.validators import strip_control_characters


class PrintableFormDataMiddleware:
    """Removes control characters from every submitted form field, before any form reads it.

    A vertical tab pasted from Word, or a NUL, would be saved as typed, then break the XLSX
    exports and PostgreSQL. Cleaning the submitted data covers every form of the site at once,
    the admin's and Django's included. Tab and line breaks are kept.

    The CSRF check before this has read the body already; a view exempt from it may choose
    its own upload handlers, which reading the body here would prevent, so it is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method != "POST" or getattr(view, "csrf_exempt", False):
            return
        fields = request.POST
        if all(
            strip_control_characters(value) == value
            for _name, values in fields.lists()
            for value in values
        ):
            return
        cleaned = QueryDict(mutable=True)
        for name, values in fields.lists():
            cleaned.setlist(name, [strip_control_characters(value) for value in values])
        request.POST = QueryDict(cleaned.urlencode())
