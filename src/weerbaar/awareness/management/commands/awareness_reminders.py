from django.core.management.base import BaseCommand

from weerbaar.awareness import services


class Command(BaseCommand):
    help = "Send due awareness reminders (exercise not held for a year, training to repeat); each once."

    def handle(self, *args, **options):
        sent = services.send_due_reminders()
        self.stdout.write(f"{sent} reminder(s) sent")
