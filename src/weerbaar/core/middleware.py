"""Request-level protections that apply before any view runs."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class RequestBodyLimitMiddleware:
    """Refuses request bodies above the upload limit with 413, before they are read.

    Django's own limit only applies to form fields read into memory; this catches every body,
    JSON included, by its declared length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = (
            settings.MAX_UPLOAD_BYTES
            if request.content_type == "multipart/form-data"
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if length > limit:
            message = _("The request is too large (at most %(limit)d bytes).") % {"limit": limit}
            if request.path.startswith("/api/"):
                # The API's one error format (weerbaar.api.errors), written out here because core
                # does not import the API.
                body = {"status": 413, "code": "too_large", "message": message}
                return JsonResponse({"error": body}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the person chose English with the language switch (a cookie).

    Django's own middleware would follow the browser's Accept-Language, which would show English
    to a Dutch school whose laptops happen to be set to English. The API still honours
    Accept-Language, since scripts have no cookie.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None
