from django.core.management.base import BaseCommand, CommandError

from weerbaar.core.audit import verify_chain
from weerbaar.core.models import AuditEntry


class Command(BaseCommand):
    help = "Checks the audit log's hash chain and reports every changed, deleted or reordered entry."

    def handle(self, *args, **options):
        problems = verify_chain()
        if problems:
            for problem in problems:
                where = f"entry {problem.seq}" if problem.seq is not None else "chain"
                self.stderr.write(f"{where}: {problem.message}")
            raise CommandError(f"The audit log is not intact: {len(problems)} problem(s) found.")
        self.stdout.write(f"The audit log is intact: {AuditEntry.objects.count()} entries checked.")
