from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "weerbaar.reports"
    label = "reports"
    verbose_name = "Reports"
