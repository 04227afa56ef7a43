from django.db import models
from django.utils.translation import gettext_lazy as _

from weerbaar.advisories.matching import Tier
from weerbaar.incidents.choices import Tlp

__all__ = ["AnswerState", "MatchTier", "Source", "Tlp"]


class Source(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    COMMAND = "command", _("Command line")
    PROVIDER = "provider", _("CSAF provider")
    WRITTEN = "written", _("Written on the platform")


class MatchTier(models.IntegerChoices):
    PURL = Tier.PURL, _("Package (PURL) and version")
    CPE = Tier.CPE, _("CPE and version")
    NAME = Tier.NAME, _("Vendor and product name and version")
    VERSION_NOT_STATED = Tier.VERSION_NOT_STATED, _("Possibly affected: version not stated")


class AnswerState(models.TextChoices):
    NOT_AFFECTED = "not_affected", _("Not affected")
    MITIGATING = "mitigating", _("Taking measures")
    PATCHED = "patched", _("Patched")


# Exposures that deserve a message to the IBP officer: a sure match with a high score, or one that
# is actively exploited.
HIGH_RISK_CVSS = 7.0
