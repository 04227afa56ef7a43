from django.core.management.base import BaseCommand

from weerbaar.governance.tasks import send_paragraph_reminders_task


class Command(BaseCommand):
    help = (
        "Queues the reminders that an organisation's IBP paragraph over last year is not approved while "
        "its sector's annual report falls due (each organisation once per year). Run daily."
    )

    def handle(self, *args, **options):
        result = send_paragraph_reminders_task.enqueue()
        self.stdout.write(f"Paragraph reminders queued ({result.id}).")
