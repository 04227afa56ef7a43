from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Pages of `count`, `next`, `previous` and `results`; a client may ask for up to 200 rows."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = _("Number of results per page (at most 200; 50 unless given).")
    max_page_size = 200
