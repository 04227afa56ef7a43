"""The task backend production runs: django-tasks-db's, writing each task row with a statement
built once (`core.sql.insert`) instead of the ORM's `create()`.

The incident intake queues a task with every report, by the hundred per second at busy moments,
and building the INSERT was the largest single cost of queueing. The row written is the one the
library writes (a test compares them), and everything else (the worker, results, retries) is the
library's own.
"""

from django_tasks_db import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_db.compat import normalize_json

from weerbaar.core import sql


class DatabaseBackend(LibraryDatabaseBackend):
    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        return sql.insert(
            DBTaskResult(
                id=self._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after,
                backend_name=self.alias,
            )
        )
