"""Roles, actions and how far each role reaches: the one code map of who may do what.

A membership gives a user one role in one organisation. For every action a role allows, the map
also says how far that permission reaches from the membership's organisation:

- OWN: the organisation itself;
- TREE: the organisation and the schools under it (a school board's schools);
- CONSTITUENCY: every organisation in the sectors the organisation serves (a CERT's constituency,
  a sector coordinator's sectors);
- MEMBERS: the member organisations of an umbrella council.

Actions not in a role's entry are refused. Sector-wide roles (coordinators, councils, ministry,
inspectorate) get no action on a single institution's scores or incidents: they read anonymised
aggregates through the benchmark selectors, which enforce the minimum group size.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    IBP_OFFICER = "ibp_officer", _("IBP officer")
    DPO = "dpo", _("Data protection officer")
    BOARD_MEMBER = "board_member", _("Board member")
    SUPERVISORY_BOARD = "supervisory_board", _("Supervisory board member")
    AUDITOR = "auditor", _("Auditor or peer reviewer")
    CERT_ANALYST = "cert_analyst", _("CERT analyst")
    SECTOR_COORDINATOR = "sector_coordinator", _("Sector coordinator")
    COUNCIL_MEMBER = "council_member", _("Umbrella council staff")
    MINISTRY_ANALYST = "ministry_analyst", _("Ministry analyst")
    INSPECTOR = "inspector", _("Inspector")


class Reach(StrEnum):
    OWN = "own"
    TREE = "tree"
    CONSTITUENCY = "constituency"
    MEMBERS = "members"


class Action(StrEnum):
    # Organisation profile and people.
    ORGANISATION_VIEW = "organisation.view"
    ORGANISATION_CHANGE = "organisation.change"
    MEMBER_VIEW = "member.view"
    MEMBER_MANAGE = "member.manage"
    AUDIT_LOG_VIEW = "audit_log.view"
    # Maturity assessments and audits.
    ASSESSMENT_VIEW = "assessment.view"
    ASSESSMENT_EDIT = "assessment.edit"
    ASSESSMENT_SUBMIT = "assessment.submit"
    ASSESSMENT_APPROVE = "assessment.approve"
    ASSESSMENT_REVIEW = "assessment.review"
    # Incidents and advisories.
    INCIDENT_VIEW = "incident.view"
    INCIDENT_REPORT = "incident.report"
    INCIDENT_HANDLE = "incident.handle"
    ADVISORY_VIEW = "advisory.view"
    ADVISORY_ACKNOWLEDGE = "advisory.acknowledge"
    ADVISORY_PUBLISH = "advisory.publish"
    # Privacy.
    PRIVACY_VIEW = "privacy.view"
    PRIVACY_EDIT = "privacy.edit"
    PRIVACY_ACCEPT = "privacy.accept"
    PRIVACY_CATALOGUE = "privacy.catalogue"
    # Security posture: basic measures and SOC connection.
    POSTURE_VIEW = "posture.view"
    POSTURE_EDIT = "posture.edit"
    # Sector-wide work: cycles, catalogues, aggregates.
    SECTOR_COORDINATE = "sector.coordinate"
    AGGREGATE_VIEW = "aggregate.view"
    # Governance: annual-report paragraph, budget, supervisory view.
    GOVERNANCE_VIEW = "governance.view"
    GOVERNANCE_EDIT = "governance.edit"
    GOVERNANCE_APPROVE = "governance.approve"
    # Awareness: campaigns, trainings, phishing simulations, crisis exercises.
    AWARENESS_VIEW = "awareness.view"
    AWARENESS_EDIT = "awareness.edit"


_INSTITUTION_READ = {
    Action.ORGANISATION_VIEW: Reach.TREE,
    Action.MEMBER_VIEW: Reach.TREE,
    Action.ASSESSMENT_VIEW: Reach.TREE,
    Action.ADVISORY_VIEW: Reach.TREE,
    Action.GOVERNANCE_VIEW: Reach.TREE,
    Action.POSTURE_VIEW: Reach.TREE,
    Action.AWARENESS_VIEW: Reach.TREE,
}

ROLE_ACTIONS: dict[str, dict[Action, Reach]] = {
    Role.IBP_OFFICER: {
        **_INSTITUTION_READ,
        Action.ORGANISATION_CHANGE: Reach.TREE,
        Action.MEMBER_MANAGE: Reach.TREE,
        Action.AUDIT_LOG_VIEW: Reach.TREE,
        Action.ASSESSMENT_EDIT: Reach.TREE,
        Action.INCIDENT_VIEW: Reach.TREE,
        Action.INCIDENT_REPORT: Reach.TREE,
        Action.ADVISORY_ACKNOWLEDGE: Reach.TREE,
        Action.PRIVACY_VIEW: Reach.TREE,
        Action.PRIVACY_EDIT: Reach.TREE,
        Action.GOVERNANCE_EDIT: Reach.TREE,
        Action.POSTURE_EDIT: Reach.TREE,
        Action.AWARENESS_EDIT: Reach.TREE,
    },
    Role.DPO: {
        **_INSTITUTION_READ,
        Action.INCIDENT_VIEW: Reach.TREE,
        Action.INCIDENT_REPORT: Reach.TREE,
        Action.PRIVACY_VIEW: Reach.TREE,
        Action.PRIVACY_EDIT: Reach.TREE,
    },
    Role.BOARD_MEMBER: {
        **_INSTITUTION_READ,
        Action.ORGANISATION_CHANGE: Reach.TREE,
        Action.MEMBER_MANAGE: Reach.TREE,
        Action.AUDIT_LOG_VIEW: Reach.TREE,
        Action.ASSESSMENT_SUBMIT: Reach.TREE,
        Action.ASSESSMENT_APPROVE: Reach.TREE,
        Action.INCIDENT_VIEW: Reach.TREE,
        Action.PRIVACY_VIEW: Reach.TREE,
        Action.PRIVACY_ACCEPT: Reach.TREE,
        Action.GOVERNANCE_APPROVE: Reach.TREE,
    },
    Role.SUPERVISORY_BOARD: {
        Action.ORGANISATION_VIEW: Reach.OWN,
        Action.GOVERNANCE_VIEW: Reach.OWN,
        Action.POSTURE_VIEW: Reach.OWN,
    },
    # An auditor sees its own firm; the assessments it reviews are reached through assignments.
    Role.AUDITOR: {
        Action.ORGANISATION_VIEW: Reach.OWN,
        Action.MEMBER_VIEW: Reach.OWN,
        Action.ASSESSMENT_REVIEW: Reach.OWN,
    },
    Role.CERT_ANALYST: {
        Action.ORGANISATION_VIEW: Reach.CONSTITUENCY,
        Action.MEMBER_VIEW: Reach.OWN,
        Action.INCIDENT_VIEW: Reach.CONSTITUENCY,
        Action.INCIDENT_HANDLE: Reach.CONSTITUENCY,
        Action.ADVISORY_VIEW: Reach.CONSTITUENCY,
        Action.ADVISORY_PUBLISH: Reach.OWN,
    },
    Role.SECTOR_COORDINATOR: {
        Action.ORGANISATION_VIEW: Reach.CONSTITUENCY,
        Action.MEMBER_VIEW: Reach.OWN,
        Action.SECTOR_COORDINATE: Reach.OWN,
        Action.AGGREGATE_VIEW: Reach.OWN,
        # Keeps the product catalogue and publishes central DPIAs for its sectors.
        Action.PRIVACY_CATALOGUE: Reach.OWN,
    },
    Role.COUNCIL_MEMBER: {
        Action.ORGANISATION_VIEW: Reach.OWN,
        Action.MEMBER_VIEW: Reach.OWN,
        Action.AGGREGATE_VIEW: Reach.OWN,
    },
    Role.MINISTRY_ANALYST: {
        Action.ORGANISATION_VIEW: Reach.OWN,
        Action.MEMBER_VIEW: Reach.OWN,
        Action.AGGREGATE_VIEW: Reach.OWN,
    },
    Role.INSPECTOR: {
        Action.ORGANISATION_VIEW: Reach.OWN,
        Action.MEMBER_VIEW: Reach.OWN,
        Action.AGGREGATE_VIEW: Reach.OWN,
    },
}

# Roles that see more than one organisation, or that act for an institution, must use a second
# factor (ASVS v5.0.0-6.3.3). Every role in the platform qualifies today; the set is explicit so
# that a future read-only role has to be added here on purpose.
MFA_REQUIRED_ROLES = frozenset(
    {
        Role.IBP_OFFICER,
        Role.DPO,
        Role.BOARD_MEMBER,
        Role.AUDITOR,
        Role.CERT_ANALYST,
        Role.SECTOR_COORDINATOR,
        Role.COUNCIL_MEMBER,
        Role.MINISTRY_ANALYST,
        Role.INSPECTOR,
    }
)


def roles_allowing(action: Action) -> dict[str, Reach]:
    """Every role that allows `action`, with the reach it has for it."""
    return {role: actions[action] for role, actions in ROLE_ACTIONS.items() if action in actions}


def role_allows(role: str, action: Action) -> bool:
    return action in ROLE_ACTIONS.get(role, {})
