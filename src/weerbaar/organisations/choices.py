from django.db import models
from django.utils.translation import gettext_lazy as _


class SectorCode(models.TextChoices):
    PO = "PO", _("Primary education")
    VO = "VO", _("Secondary education")
    SO = "SO", _("Special education")
    MBO = "MBO", _("Vocational education")
    HBO = "HBO", _("Universities of applied sciences")
    WO = "WO", _("Research universities")
    RESEARCH = "RESEARCH", _("Research institutes")
    NONFUNDED = "NONFUNDED", _("Non-funded providers")


class OrganisationKind(models.TextChoices):
    SCHOOL_BOARD = "school_board", _("School board")
    INSTITUTION = "institution", _("Institution")
    SCHOOL = "school", _("School")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    CERT = "cert", _("CERT")
    SECTOR_ORGANISATION = "sector_organisation", _("Sector service organisation")
    UMBRELLA_COUNCIL = "umbrella_council", _("Umbrella council")
    MINISTRY = "ministry", _("Ministry")
    INSPECTORATE = "inspectorate", _("Inspectorate")
    AUDIT_FIRM = "audit_firm", _("Audit firm")


# Kinds that are measured: they fill in assessments, report incidents and so on.
MEASURED_KINDS = frozenset(
    {
        OrganisationKind.SCHOOL_BOARD,
        OrganisationKind.INSTITUTION,
        OrganisationKind.SCHOOL,
        OrganisationKind.RESEARCH_INSTITUTE,
    }
)
