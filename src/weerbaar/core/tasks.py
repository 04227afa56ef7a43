"""The task backend production runs: django-tasks-db's, writing each task row with a statement
built once (`core.sql.insert`) instead of the ORM's `create()`.

The incident intake queues a task with every report, by the hundred per second at busy moments,
and building the INSERT was the largest single cost of queueing. The row written is the one the
library writes (a test compares them), and everything else (the worker, results, retries) is the
library's own.
"""

from django_tasks_db import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.signal_handlers import set_run_after

from weerbaar.core import sql


class DatabaseBackend(LibraryDatabaseBackend):
    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        row = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        # The library's one pre_save receiver gives a task without a moment its latest one.
        set_run_after(sender=DBTaskResult, instance=row)
        return sql.insert(row, receivers_done=(set_run_after,))
