"""Incident reports through the API at a paced rate, and whether every acknowledged report is
stored afterwards.

The target: 200 reports per second for 60 seconds on a 2-core machine with PostgreSQL and
gunicorn, none of the acknowledged reports lost. Figures, each printed as `metric: value unit`:

- `incidents_rate`: acknowledged reports (201) per second over the run;
- `incidents_p95`: 95th percentile latency in milliseconds, counted from the moment each request
  was due to be sent (so that a client falling behind does not hide a slow server);
- `incidents_lost`: acknowledged reports missing from the database afterwards;
- `incidents_errors`: requests that were not acknowledged (errors, time-outs);
- `incidents_app_cpu`: CPU time of the gunicorn processes per acknowledged report.

Targets: the achieved rate is at least 97% of the rate asked for, and nothing is lost; each is
printed as met or MISSED. The script exits 1 only when something is wrong rather than slow (an
acknowledged report is missing, or the server could not be started), like the other benchmarks,
so that `make bench` goes on; PostgreSQL being unreachable is reported as unavailable and is not
a failure.

The script creates its own database `weerbaar_bench_incidents` (dropped and created anew, and
dropped at the end) on the server in BENCH_POSTGRES_URL, migrates it, makes an IBP officer of a
school board with an API token, starts gunicorn on a free loopback port against that database
with the database task backend (the production set-up: the CERT's notices are queued, not sent
in the request), and fires the reports from a bounded thread pool.

    python bench/bench_incidents.py                        # 200/s for 60 s
    python bench/bench_incidents.py --seconds 10 --rate 50 # a quick try
"""

import argparse
import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
BENCH_DATABASE = "weerbaar_bench_incidents"
TARGET_SHARE = 0.97
CLIENT_THREADS = 64
REQUEST_TIMEOUT = 30
VENV_BIN = Path(sys.executable).parent


def database_url(name: str) -> str:
    return f"{POSTGRES_SERVER.rstrip('/')}/{name}"


def admin_connection():
    import psycopg

    return psycopg.connect(database_url("postgres"), autocommit=True, connect_timeout=5)


def postgres_available() -> bool:
    try:
        with admin_connection():
            return True
    except Exception:
        return False


def recreate_database(drop_only: bool = False) -> None:
    with admin_connection() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [BENCH_DATABASE],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def server_environment(data_dir: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "weerbaar.config.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "DATABASE_URL": database_url(BENCH_DATABASE),
            "WEERBAAR_DATA_DIR": data_dir,
            "WEERBAAR_DEBUG": "false",
            "WEERBAAR_TASK_BACKEND": "database",
            "WEERBAAR_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "WEERBAAR_CACHE_URL": "locmem://",
            "WEERBAAR_DB_CONN_MAX_AGE": "600",
            "WEERBAAR_LOG_LEVEL": "WARNING",
        }
    )
    return env


# --- inside Django: the reporting organisation and its token -----------------------------------


def setup_inside_django() -> None:
    """Runs in a child process with the bench database configured; prints what the client needs."""
    import django

    django.setup()
    from weerbaar.accounts.models import User
    from weerbaar.accounts.services import create_api_token
    from weerbaar.core.permissions import Role
    from weerbaar.organisations.choices import OrganisationKind
    from weerbaar.organisations.models import Membership, Organisation, Sector

    po, _ = Sector.objects.get_or_create(code="PO")
    board = Organisation.objects.create(
        name="Stichting Benchmark",
        kind=OrganisationKind.SCHOOL_BOARD,
        sector=po,
        board_number="99999",
    )
    cert = Organisation.objects.create(name="School-CERT", kind=OrganisationKind.CERT)
    cert.served_sectors.set([po])
    officer = User.objects.create_user(email="ibp@bench.invalid", password=None, full_name="IBP Benchmark")
    Membership.objects.create(user=officer, organisation=board, role=Role.IBP_OFFICER)
    analyst = User.objects.create_user(email="analist@bench.invalid", password=None, full_name="Analist")
    Membership.objects.create(user=analyst, organisation=cert, role=Role.CERT_ANALYST)
    _token, secret = create_api_token(actor=officer, name="bench", scope="read_write", days_valid=1)
    print(json.dumps({"token": secret, "organisation": str(board.public_id)}))


def manage(env: dict, *arguments: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    gunicorn = VENV_BIN / "gunicorn"
    if not gunicorn.exists():
        raise RuntimeError("gunicorn is not installed: pip install -e '.[dev]'")
    process = subprocess.Popen(  # noqa: S603 - the gunicorn of this environment
        [
            str(gunicorn),
            "weerbaar.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {process.stderr.read().decode()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not answer /healthz within a minute")


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user and system) of every live process in a process group, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, ... utime is the 12th, stime the 13th.
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


# --- the load ------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection per client thread, loopback only."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        }
        self.local = threading.local()

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        for attempt in range(2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            try:
                conn.request("POST", path, body=body, headers=self.headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server had closed: open a new one, once. Only
                # acknowledged reports are checked afterwards, so a resend cannot hide a loss.
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def report_body(organisation: str, number: int) -> bytes:
    now = datetime.now(UTC)
    return json.dumps(
        {
            "organisation": organisation,
            "submit": True,
            "title": f"Benchmark report {number}",
            "description": "A staff account sent phishing mail to parents after a password leak.",
            "category": "fraud",
            "detected_at": (now - timedelta(hours=3)).isoformat(),
            "aware_at": (now - timedelta(hours=2)).isoformat(),
            "contact_name": "IBP Benchmark",
            "contact_phone": "+31 30 000 0000",
            "pupils_affected": number % 400,
            "teaching_hours_lost": number % 7,
        }
    ).encode()


def fire(port: int, token: str, organisation: str, rate: float, seconds: float):
    client = Client(port, token)
    total = int(rate * seconds)
    latencies: list[float] = []
    acknowledged: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def send(number: int, due: float) -> None:
        try:
            status, payload = client.post("/api/v1/incidents/", report_body(organisation, number))
        except Exception as exc:
            with lock:
                errors.append(type(exc).__name__)
            return
        elapsed = time.monotonic() - due
        with lock:
            if status == 201:
                acknowledged.append(json.loads(payload)["id"])
                latencies.append(elapsed)
            else:
                errors.append(str(status))

    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        for number in range(total):
            due = start + number / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            pool.submit(send, number, due)
    finished = time.monotonic()
    return acknowledged, latencies, errors, finished - start


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def stored_ids() -> set[str]:
    import psycopg

    with psycopg.connect(database_url(BENCH_DATABASE)) as conn:
        return {str(row[0]) for row in conn.execute("SELECT public_id FROM incidents_incident")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=200.0, help="reports per second")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_inside_django()
        return 0
    if not postgres_available():
        print("incidents_rate: unavailable")
        return 0
    recreate_database()
    process = None
    try:
        with tempfile.TemporaryDirectory(prefix="weerbaar-bench-incidents-") as data_dir:
            env = server_environment(data_dir)
            manage(env, "migrate", "--no-input", "-v0")
            world = json.loads(
                subprocess.run(  # noqa: S603 - this script, in setup mode
                    [sys.executable, __file__, "--setup"],
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            port = free_port()
            process = start_gunicorn(env, port, args.workers)
            cpu_before = group_cpu_seconds(process.pid)
            acknowledged, latencies, errors, elapsed = fire(
                port, world["token"], world["organisation"], args.rate, args.seconds
            )
            app_cpu = group_cpu_seconds(process.pid) - cpu_before
            stop(process)
            process = None
            present = stored_ids()
    finally:
        if process is not None:
            stop(process)
        recreate_database(drop_only=True)
    lost = len(set(acknowledged) - present)
    rate = len(acknowledged) / max(elapsed, 1e-9)
    print(f"incidents_rate: {rate:.1f} reports/s")
    print(f"incidents_p95: {percentile(latencies, 0.95) * 1000:.0f} ms")
    print(f"incidents_lost: {lost} reports")
    print(f"incidents_errors: {len(errors)} requests")
    # What one report costs the app servers: on a shared machine the one figure that does not
    # depend on what else runs.
    print(f"incidents_app_cpu: {app_cpu * 1000 / max(len(acknowledged), 1):.1f} ms/report")
    if errors:
        counts = {e: errors.count(e) for e in sorted(set(errors))}
        print(f"# not acknowledged: {counts}", file=sys.stderr)
    verdict = "met" if rate >= TARGET_SHARE * args.rate else "MISSED"
    print(f"incidents_rate_target: {verdict} (at least {TARGET_SHARE * args.rate:g} reports/s)")
    print(f"incidents_lost_target: {'met' if lost == 0 else 'MISSED'} (none lost)")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
