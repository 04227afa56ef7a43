from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "weerbaar.monitor"
    verbose_name = _("Sector monitor")

    def ready(self) -> None:
        from weerbaar.monitor import signals

        signals.connect()
