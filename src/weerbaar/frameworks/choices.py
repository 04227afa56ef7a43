from django.db import models
from django.utils.translation import gettext_lazy as _

# The maturity scale every scored framework uses; level 3 is the sector's target.
LEVELS = (1, 2, 3, 4, 5)
TARGET_LEVEL = 3


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class DomainPart(models.TextChoices):
    SECURITY = "security", _("Information security")
    PRIVACY = "privacy", _("Privacy")
    OTHER = "other", _("Other")


class MappingRelation(models.TextChoices):
    EQUIVALENT = "equivalent", _("Equivalent")
    RELATED = "related", _("Related")
    SUBSET = "subset", _("Subset")
    SUPERSET = "superset", _("Superset")


class CatalogueFormat(models.TextChoices):
    YAML = "yaml", "YAML"
    CSV = "csv", "CSV"
    OSCAL = "oscal", "OSCAL JSON"
