"""Request body parsing for the API: JSON only."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, which also answers 400 for documents nested too deeply to parse.

    Python's decoder raises RecursionError (not ValueError) for a few thousand nested brackets;
    without this, a body of `[[[[...` would be a server error.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(_("JSON parse error - the document is nested too deeply.")) from exc
