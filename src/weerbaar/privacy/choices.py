"""The fixed lists of the privacy app. Stored values are English and stable; labels are
translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CovenantStatus(models.TextChoices):
    """Standing of a product under the Privacyconvenant Onderwijs."""

    PARTICIPANT = "participant", _("participant (deelnemer)")
    SUPPORTER = "supporter", _("supporter (medestander)")
    NONE = "none", _("not signed")


class DpaAnnex(models.TextChoices):
    """Annexes of the model data-processing agreement."""

    PRIVACY_NOTICE = "privacy_notice", _("privacy notice (privacybijsluiter)")
    SECURITY = "security", _("security annex")
    CHANGES = "changes", _("changes annex")


class LocationPurpose(models.TextChoices):
    STORAGE = "storage", _("storage")
    BACKUP = "backup", _("backup")
    SUPPORT = "support", _("support")
    TELEMETRY = "telemetry", _("telemetry and diagnostics")


class TransferMechanism(models.TextChoices):
    """How a transfer outside the EEA is made lawful."""

    ADEQUACY = "adequacy", _("adequacy decision")
    DPF = "dpf", _("adequacy: EU–US Data Privacy Framework")
    SCC = "scc", _("standard contractual clauses")
    OTHER = "other", _("other")


ADEQUATE_MECHANISMS = frozenset({TransferMechanism.ADEQUACY, TransferMechanism.DPF})


class RiskLevel(models.TextChoices):
    """High, medium, low: shown as red, orange, green and always with the word."""

    HIGH = "high", _("high risk")
    MEDIUM = "medium", _("medium risk")
    LOW = "low", _("low risk")


RISK_COLOURS = {RiskLevel.HIGH: "red", RiskLevel.MEDIUM: "orange", RiskLevel.LOW: "green"}


class Scale(models.TextChoices):
    """Likelihood and impact of a risk."""

    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class CentralStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    SUPERSEDED = "superseded", _("replaced by a newer version")
    WITHDRAWN = "withdrawn", _("withdrawn")


class VendorMeasureStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class SchoolMeasureKind(models.TextChoices):
    SETTINGS = "settings", _("settings")
    CONTRACT = "contract", _("contract")
    INSTRUCTION = "instruction", _("instruction to staff")
    OWN_CHECK = "own_check", _("own check")


class ChangeKind(models.TextChoices):
    PUBLISHED = "published", _("new version published")
    ADVICE = "advice", _("advice changed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class LocalStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ADVISED = "advised", _("advised by the DPO")
    ACCEPTED = "accepted", _("accepted by the board")
    SUPERSEDED = "superseded", _("replaced by a newer version")


class LegalBasis(models.TextChoices):
    """GDPR Art. 6(1) grounds."""

    CONSENT = "consent", _("consent")
    CONTRACT = "contract", _("contract")
    LEGAL_OBLIGATION = "legal_obligation", _("legal obligation")
    VITAL_INTEREST = "vital_interest", _("vital interest")
    PUBLIC_TASK = "public_task", _("public task")
    LEGITIMATE_INTEREST = "legitimate_interest", _("legitimate interest")


class SpecialCondition(models.TextChoices):
    """GDPR Art. 9(2) conditions for special categories of data; empty when none are processed."""

    EXPLICIT_CONSENT = "explicit_consent", _("explicit consent")
    EMPLOYMENT = "employment", _("employment and social security law")
    VITAL_INTEREST = "vital_interest", _("vital interest")
    MADE_PUBLIC = "made_public", _("made public by the person")
    LEGAL_CLAIMS = "legal_claims", _("legal claims")
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest", _("substantial public interest")
    HEALTH_CARE = "health_care", _("health or social care")
    ARCHIVING_RESEARCH = "archiving_research", _("archiving, research or statistics")


class DpiaNeed(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    UNKNOWN = "unknown", _("not yet decided")


class Decision(models.TextChoices):
    """Whether a breach is reported to the authority or to the people concerned."""

    UNDECIDED = "undecided", _("not yet decided")
    REPORT = "report", _("report")
    NO_REPORT = "no_report", _("do not report")
