from django.core.management.base import BaseCommand

from weerbaar.monitor import services


class Command(BaseCommand):
    help = (
        "Send the due reminders of open measurement cycles (last two weeks of the window), once "
        "per organisation and step. Meant for cron, for example daily; running it twice sends "
        "nothing twice."
    )

    def handle(self, *args, **options):
        sent = services.send_due_reminders()
        self.stdout.write(f"Reminders sent: {sent}.")
