from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "weerbaar.incidents"
    verbose_name = _("Incident desk")
