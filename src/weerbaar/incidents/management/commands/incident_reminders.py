from django.core.management.base import BaseCommand

from weerbaar.incidents import services


class Command(BaseCommand):
    help = (
        "Send the due reminders of the incidents' legal deadlines (approaching and passed), once "
        "per incident, duty and stage, and tell the CERT of any report whose notice was lost. Meant for "
        "cron, for example every 15 minutes; running it twice, or next to the task worker, sends "
        "nothing twice."
    )

    def handle(self, *args, **options):
        announced = services.announce_missed()
        if announced:
            self.stdout.write(f"Reports announced to their CERT late (their task was lost): {announced}.")
        sent = services.send_due_reminders()
        self.stdout.write(f"Reminders sent: {sent}.")
