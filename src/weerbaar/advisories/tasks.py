"""Background work of the advisories app: thin wrappers that take ids and call services.

Matching runs after an advisory is taken in and after an inventory changes; notification mail
goes out once per notification; providers are polled by `fetch_providers_task` (from cron via
`manage.py fetch_csaf_providers` on the in-process backend).
"""

from django_tasks import task

from weerbaar.advisories import services
from weerbaar.advisories.models import Advisory
from weerbaar.organisations.models import Organisation


@task()
def match_advisory_task(advisory_id: int) -> int:
    advisory = Advisory.objects.filter(pk=advisory_id).first()
    return services.match_advisory(advisory) if advisory is not None else 0


@task()
def match_organisation_task(organisation_id: int) -> int:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    return services.match_organisation(organisation) if organisation is not None else 0


@task()
def send_notifications_task() -> int:
    return services.send_notification_mail()


@task()
def fetch_providers_task() -> int:
    """Fetch every active provider once; run from cron (`manage.py fetch_csaf_providers`) or a
    scheduler that enqueues this task."""
    from weerbaar.advisories import providers

    outcome = providers.fetch_all()
    return sum(r.imported for r in outcome.values() if not isinstance(r, str))
