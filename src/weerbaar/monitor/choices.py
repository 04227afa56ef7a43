from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline measurement")
    MONITOR = "monitor", _("Monitor")
    BENCHMARK = "benchmark", _("Benchmark")


class ParticipationStep(models.TextChoices):
    INVITED = "invited", _("Invited")
    STARTED = "started", _("Started")
    SUBMITTED = "submitted", _("Submitted")
    FINAL = "final", _("Final")


class MeasureState(models.TextChoices):
    IN_PLACE = "in_place", _("In place")
    PARTIAL = "partial", _("Partly in place")
    PLANNED = "planned", _("Planned")
    NOT_STARTED = "not_started", _("Not started")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class SocStatus(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    PLANNED = "planned", _("Planned")
    NONE = "none", _("Not connected")


class MeasureSource(models.TextChoices):
    LETTER_2021 = "letter_2021", _("Letter to parliament 2021")
    KENNISNET = "kennisnet", _("Kennisnet basic measures")
