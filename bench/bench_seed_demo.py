"""How long loading the demo sector takes, at the size `make run` uses and at the design size.

Targets: the 60-organisation demo of `make run` loads within 10 seconds; a sector of 10,000
boards and institutions (about 52,000 organisations with their schools) within 3 minutes.
Runs on a fresh SQLite database in a temporary directory, so it touches no one's data.
"""

import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TARGETS = [(60, 10.0), (10_000, 180.0)]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="weerbaar-bench-") as data_dir:
        os.environ["WEERBAAR_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weerbaar.config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from weerbaar.organisations.demo import generate_sector

        failed = False
        for organisations, limit in TARGETS:
            # A fresh database per size: the second load would otherwise do nothing, by design.
            connection.close()
            for path in Path(data_dir).glob("*.sqlite3*"):
                path.unlink()
            call_command("migrate", verbosity=0, interactive=False, skip_checks=True)

            started = time.perf_counter()
            sector = generate_sector(organisations, seed=2026)
            generated = time.perf_counter() - started

            started = time.perf_counter()
            options = {"organisations": organisations, "seed": 2026, "skip_checks": True}
            call_command("seed_demo", stdout=StringIO(), **options)
            loaded = time.perf_counter() - started
            verdict = "ok" if loaded <= limit else "TOO SLOW"
            failed |= loaded > limit
            print(
                f"seed_demo --organisations {organisations}: "
                f"{len(sector.organisations)} organisations, generated in {generated:.2f} s, "
                f"loaded in {loaded:.1f} s (target {limit:.0f} s) {verdict}"
            )
        connection.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
