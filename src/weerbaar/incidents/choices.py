from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# The CERT's workflow: from each status, the statuses it may move to. Reopening a resolved
# incident is allowed (the attacker came back); a closed incident stays closed.
STATUS_FLOW: dict[str, tuple[str, ...]] = {
    IncidentStatus.NEW: (IncidentStatus.TRIAGED,),
    IncidentStatus.TRIAGED: (IncidentStatus.IN_PROGRESS, IncidentStatus.RESOLVED),
    IncidentStatus.IN_PROGRESS: (IncidentStatus.RESOLVED,),
    IncidentStatus.RESOLVED: (IncidentStatus.IN_PROGRESS, IncidentStatus.CLOSED),
    IncidentStatus.CLOSED: (),
}

OPEN_STATUSES = (IncidentStatus.NEW, IncidentStatus.TRIAGED, IncidentStatus.IN_PROGRESS)


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Category(models.TextChoices):
    """The classes (first column) of the Reference Security Incident Taxonomy, which CERTs use
    between organisations; the finer types are examples, not a second classification."""

    ABUSIVE_CONTENT = "abusive-content", _("Abusive content")
    MALICIOUS_CODE = "malicious-code", _("Malicious code (malware, ransomware)")
    INFORMATION_GATHERING = (
        "information-gathering",
        _("Information gathering (scanning, social engineering)"),
    )
    INTRUSION_ATTEMPTS = "intrusion-attempts", _("Intrusion attempt")
    INTRUSIONS = "intrusions", _("Intrusion (account or system compromised)")
    AVAILABILITY = "availability", _("Availability (outage, DDoS, sabotage)")
    INFORMATION_CONTENT_SECURITY = (
        "information-content-security",
        _("Information security (data accessed, changed or lost)"),
    )
    FRAUD = "fraud", _("Fraud (phishing, impersonation)")
    VULNERABLE = "vulnerable", _("Vulnerable system")
    OTHER = "other", _("Other")
    TEST = "test", _("Test")


class Tlp(models.TextChoices):
    """Traffic Light Protocol 2.0. The labels stay in English in every language."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber+strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


# Labels with which a report can reach the CERT: AMBER+STRICT would keep it inside the reporting
# organisation, so it is offered only for entries, not for the report itself.
REPORT_TLPS = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.RED)
# Labels a published lesson may carry: it is meant for others, so never RED or AMBER+STRICT.
LESSON_TLPS = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER)


class Side(models.TextChoices):
    """Which side of an incident wrote a record: the reporting institution or its CERT."""

    INSTITUTION = "institution", _("Institution")
    CERT = "cert", _("CERT")


class PersonalDataCategory(models.TextChoices):
    NAME_ADDRESS = "name_address", _("Name and address")
    CONTACT = "contact", _("Phone number or e-mail address")
    LOGIN = "login", _("Login or identification details")
    FINANCIAL = "financial", _("Financial details")
    BSN = "bsn", _("Citizen service number (BSN)")
    ID_DOCUMENT = "id_document", _("Copy of a passport or ID card")
    DEMOGRAPHIC = "demographic", _("Sex, date of birth or age")
    PUPIL_RECORD = "pupil_record", _("Pupil or student records (results, support, absence)")
    SPECIAL = "special", _("Special categories (health, religion, ethnicity, biometrics, …)")
    CRIMINAL = "criminal", _("Criminal records")
    OTHER = "other", _("Other personal data")


class DataSubjectGroup(models.TextChoices):
    PUPILS = "pupils", _("Pupils or students")
    PARENTS = "parents", _("Parents or guardians")
    STAFF = "staff", _("Staff")
    APPLICANTS = "applicants", _("Applicants")
    OTHER = "other", _("Others")


class BreachNature(models.TextChoices):
    """What happened to the data, as the AP's breach form asks it."""

    READ = "read", _("Read by someone not allowed to")
    COPIED = "copied", _("Copied")
    ALTERED = "altered", _("Changed")
    DELETED = "deleted", _("Deleted or destroyed")
    STOLEN = "stolen", _("Stolen (device or paper)")


class Encryption(models.TextChoices):
    YES = "yes", _("Yes, unreadable for others")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known yet")


class DataRisk(models.TextChoices):
    """The controller's assessment of the risk to the people concerned (GDPR Art. 33 and 34)."""

    UNLIKELY = "unlikely", _("Unlikely to cause a risk")
    RISK = "risk", _("A risk for the people concerned")
    HIGH = "high", _("A high risk for the people concerned")


class ClockKind(models.TextChoices):
    NIS2_EARLY_WARNING = "nis2_early_warning", _("NIS2 early warning")
    NIS2_NOTIFICATION = "nis2_notification", _("NIS2 incident notification")
    NIS2_PROGRESS = "nis2_progress", _("NIS2 progress report")
    NIS2_FINAL = "nis2_final", _("NIS2 final report")
    AP_NOTIFICATION = "ap_notification", _("Data breach notification to the AP")
    DATA_SUBJECTS = "data_subjects", _("Informing the people concerned")
    CERT_RESPONSE = "cert_response", _("First response of the CERT")


class Channel(models.TextChoices):
    """How a reporting duty was met."""

    NCSC_PORTAL = "ncsc_portal", _("NCSC reporting portal")
    AP_FORM = "ap_form", _("AP data breach form")
    CERT = "cert", _("Through the CERT")
    PLATFORM = "platform", _("In this platform")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    OTHER = "other", _("Other")


class DocumentKind(models.TextChoices):
    EARLY_WARNING = "early-warning", _("Early warning (NIS2)")
    NOTIFICATION = "notification", _("Incident notification (NIS2)")
    INTERMEDIATE = "intermediate", _("Intermediate report (NIS2)")
    PROGRESS = "progress", _("Progress report (NIS2)")
    FINAL = "final", _("Final report (NIS2)")
    AP_BREACH = "ap-breach", _("Answers for the AP data breach form")


class EntryKind(models.TextChoices):
    NOTE = "note", _("Note")
    TRIAGE = "triage", _("Triage")
    ASSIGNMENT = "assignment", _("Assignment")
    STATUS = "status", _("Status change")
    DEADLINE = "deadline", _("Reporting duty met")
    REQUEST = "request", _("Request for an intermediate report")
    UPDATE = "update", _("Report updated")


class IndicatorType(models.TextChoices):
    IPV4 = "ipv4", _("IPv4 address")
    IPV6 = "ipv6", _("IPv6 address")
    DOMAIN = "domain", _("Domain name")
    URL = "url", _("Web address (URL)")
    EMAIL = "email", _("E-mail address")
    SHA256 = "sha256", _("File hash SHA-256")
    SHA1 = "sha1", _("File hash SHA-1")
    MD5 = "md5", _("File hash MD5")
    FILENAME = "filename", _("File name")


class ReminderStage(models.TextChoices):
    DUE_SOON = "due_soon", _("Deadline approaching")
    OVERDUE = "overdue", _("Deadline passed")


class LessonStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
