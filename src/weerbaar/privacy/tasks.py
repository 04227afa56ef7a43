"""Background work of the privacy app: thin wrappers that take ids and call services."""

from django_tasks import task

from weerbaar.privacy import services


@task()
def announce_change_task(change_id: int) -> int:
    """Tell the users of a product about a change of its central DPIA (once per organisation)."""
    return services.announce_change(change_id=change_id)
