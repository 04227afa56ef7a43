from django.db import models
from django.utils.translation import gettext_lazy as _


class ParagraphStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the board")
    APPROVED = "approved", _("Approved and locked")


class Element(models.TextChoices):
    """The parts an annual-report paragraph can contain; each sector chooses its own."""

    MATURITY = "maturity", _("Maturity against target and trend")
    AUDIT = "audit", _("Last audit and main findings")
    IMPROVEMENT = "improvement", _("Progress of the improvement plan")
    POSTURE = "posture", _("Basic measures and SOC connection")
    INCIDENTS = "incidents", _("Incidents by kind")
    AWARENESS = "awareness", _("Awareness and exercises")
    DPIAS = "dpias", _("DPIAs")
    BUDGET = "budget", _("Budget and staffing")


ALL_ELEMENTS = tuple(Element.values)


class ExportFormat(models.TextChoices):
    HTML = "html", "HTML"
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
