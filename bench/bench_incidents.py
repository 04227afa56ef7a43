"""Incident reports through the API at a paced rate, and whether every acknowledged report is
stored afterwards.

The target: 200 reports per second for 60 seconds on a 2-core machine with PostgreSQL and
gunicorn, none of the acknowledged reports lost. Figures, each printed as `metric: value unit`:

- `incidents_rate`: acknowledged reports (201, or 200 for a resend) per second over the run;
- `incidents_p95`, `incidents_p50`: latency in milliseconds, counted from the moment each request
  was due to be sent (so that a client falling behind does not hide a slow server);
- `incidents_lost`: acknowledged reports missing from the database afterwards;
- `incidents_unaudited`: acknowledged reports without their audit entry;
- `incidents_errors`: requests that were not acknowledged (errors, time-outs);
- `incidents_app_cpu`, `incidents_db_cpu`, `incidents_client_cpu`: CPU time per acknowledged
  report of the gunicorn processes, of the PostgreSQL backends serving them and of this load
  generator. On a machine shared with other work these say more than the rate does;
- `incidents_audit_chain`: whether `manage.py audit_verify` finds the chain intact afterwards.

Targets: the achieved rate is at least 97% of the rate asked for, and nothing is lost; each is
printed as met or MISSED. The script exits 1 only when something is wrong rather than slow (an
acknowledged report is missing or unaudited, the audit chain is broken, or the server could not
be started), like the other benchmarks, so that `make bench` goes on; PostgreSQL being
unreachable is reported as unavailable and is not a failure.

The script creates its own database `bench_incidents` (dropped and created anew, and dropped at
the end) on the server in BENCH_POSTGRES_URL, migrates it, makes an IBP officer of a school board
with an API token, starts gunicorn on a free loopback port against that database with the
database task backend (the production set-up: the CERT's notices are queued, not sent in the
request) and persistent database connections, and fires the reports from one asyncio loop over
keep-alive connections, in an open loop: each report is sent at its due moment whatever the
answers before it. Each report carries an Idempotency-Key, so a resend after a dropped
connection cannot make a second report.

    python bench/bench_incidents.py                        # 200/s for 60 s
    python bench/bench_incidents.py --seconds 10 --rate 50 # a quick try
    python bench/bench_incidents.py --workers 4 --threads 2 --worker-class gthread
"""

import argparse
import asyncio
import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
BENCH_DATABASE = "bench_incidents"
TARGET_SHARE = 0.97
CLIENT_CONNECTIONS = 48
# One single-threaded worker per core: a report is CPU work between short database waits, and
# on two cores more processes or threads only added switching (measured: 2 x 1 gave p95 0.13 s
# where 3 x 2 gave 0.9 s at the same 200 reports/s).
GUNICORN_WORKERS = os.cpu_count() or 2
GUNICORN_THREADS = 1
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


def start_gunicorn(env: dict, port: int, workers: int, threads: int, worker_class: str = "gthread") -> subprocess.Popen:
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
            worker_class,
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            # No access log unless asked for: formatting a line per request is CPU of its own.
            *(["--access-logfile", "-"] if os.environ.get("BENCH_ACCESS_LOG") else []),
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


def process_cpu_seconds(pids) -> float:
    """CPU time (user and system) of the given live processes, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, ... utime is the 12th, stime the 13th.
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def group_pids(pgid: int) -> list[int]:
    """The live processes of a process group (gunicorn's master and workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            pids.append(int(entry.name))
    return pids


def database_backends() -> list[int]:
    """The PostgreSQL server processes serving the bench database (the app servers keep their
    connections open, so the same processes serve the whole run)."""
    with admin_connection() as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [BENCH_DATABASE]).fetchall()
    return [row[0] for row in rows]


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


# --- the load ------------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection on the loopback, speaking just enough of the protocol
    for these requests: the client must cost far less CPU than the server it measures."""

    def __init__(self, port: int):
        self.port = port
        self.reader = None
        self.writer = None

    async def request(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        payload = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def request_head(token: str, body: bytes, key: str) -> bytes:
    return (
        "POST /api/v1/incidents/ HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
        "Accept-Language: en\r\n"
        f"Idempotency-Key: {key}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()


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


async def fire(port: int, token: str, organisation: str, rate: float, seconds: float):
    """Send `rate * seconds` reports, each at its due moment whatever the answers before it (an
    open loop), over at most CLIENT_CONNECTIONS keep-alive connections."""
    total = int(rate * seconds)
    latencies: list[float] = []
    acknowledged: list[str] = []
    errors: list[str] = []
    idle: list[Connection] = []
    opened = 0
    slots = asyncio.Semaphore(CLIENT_CONNECTIONS)
    run = f"{os.getpid()}-{time.time_ns()}"

    async def send(number: int, due: float) -> None:
        nonlocal opened
        # A report that finds no free connection within the time-out is counted as not
        # acknowledged and never sent: the run ends in bounded time however slow the server.
        try:
            await asyncio.wait_for(slots.acquire(), max(0.0, due + REQUEST_TIMEOUT - time.monotonic()))
        except TimeoutError:
            errors.append("not sent in time")
            return
        try:
            if idle:
                conn = idle.pop()
            else:
                conn = Connection(port)
                opened += 1
            body = report_body(organisation, number)
            head = request_head(token, body, f"bench-{run}-{number}")
            try:
                for attempt in range(2):
                    try:
                        status, payload = await asyncio.wait_for(conn.request(head, body), REQUEST_TIMEOUT)
                        break
                    except (ConnectionError, asyncio.IncompleteReadError):
                        # A keep-alive connection the server had closed: send again, once, with
                        # the same key, so that a report the server did store is not made twice.
                        conn.close()
                        if attempt:
                            raise
            except Exception as exc:
                conn.close()
                errors.append(type(exc).__name__)
                return
            idle.append(conn)
        finally:
            slots.release()
        elapsed = time.monotonic() - due
        if status in (200, 201):
            acknowledged.append(json.loads(payload)["id"])
            latencies.append(elapsed)
        else:
            errors.append(str(status))

    loop_start = time.monotonic() + 0.5
    pending = []
    for number in range(total):
        due = loop_start + number / rate
        pause = due - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        pending.append(asyncio.create_task(send(number, due)))
    await asyncio.gather(*pending)
    finished = time.monotonic()
    for conn in idle:
        conn.close()
    return acknowledged, latencies, errors, finished - loop_start, opened


def warm_up(port: int, token: str, organisation: str, count: int) -> None:
    """A few reports before the measured run, so that every worker has imported its modules and
    opened its database connection."""

    async def run() -> None:
        conns = [Connection(port) for _ in range(count)]
        body = report_body(organisation, -1)
        await asyncio.gather(
            *(conn.request(request_head(token, body, f"warm-{os.getpid()}-{i}"), body) for i, conn in enumerate(conns))
        )
        for conn in conns:
            conn.close()

    asyncio.run(run())


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def stored_ids() -> tuple[set[str], set[str]]:
    """The reports in the database, and those with their audit entry."""
    import psycopg

    with psycopg.connect(database_url(BENCH_DATABASE)) as conn:
        reports = {str(row[0]) for row in conn.execute("SELECT public_id FROM incidents_incident")}
        audited = {
            row[0] for row in conn.execute("SELECT object_id FROM core_auditentry WHERE action = 'incident.submitted'")
        }
    return reports, audited


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=200.0, help="reports per second")
    parser.add_argument("--workers", type=int, default=GUNICORN_WORKERS, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=GUNICORN_THREADS, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (gthread or sync)")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_inside_django()
        return 0
    # Stopped from outside (a time limit): still stop gunicorn and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
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
            process = start_gunicorn(env, port, args.workers, args.threads, args.worker_class)
            warm_up(port, world["token"], world["organisation"], args.workers * args.threads * 2)
            app_pids = group_pids(process.pid)
            db_pids = database_backends()
            app_before = process_cpu_seconds(app_pids)
            db_before = {pid: process_cpu_seconds([pid]) for pid in db_pids}
            client_before = time.process_time()
            acknowledged, latencies, errors, elapsed, opened = asyncio.run(
                fire(port, world["token"], world["organisation"], args.rate, args.seconds)
            )
            client_cpu = time.process_time() - client_before
            app_cpu = process_cpu_seconds(app_pids) - app_before
            # Backends opened during the run count whole; those from before count their share.
            db_cpu = sum(process_cpu_seconds([pid]) - db_before.get(pid, 0.0) for pid in database_backends())
            stop(process)
            process = None
            present, audited = stored_ids()
            try:
                chain = manage(env, "audit_verify").strip()
                chain_intact = True
            except RuntimeError as exc:
                chain, chain_intact = str(exc).strip(), False
    finally:
        if process is not None:
            stop(process)
        recreate_database(drop_only=True)
    acknowledged_ids = set(acknowledged)
    lost = len(acknowledged_ids - present)
    unaudited = len(acknowledged_ids - audited)
    rate = len(acknowledged) / max(elapsed, 1e-9)
    per_report = 1000 / max(len(acknowledged), 1)
    print(f"incidents_rate: {rate:.1f} reports/s")
    print(f"incidents_p95: {percentile(latencies, 0.95) * 1000:.0f} ms")
    print(f"incidents_p50: {percentile(latencies, 0.50) * 1000:.0f} ms")
    print(f"incidents_lost: {lost} reports")
    print(f"incidents_unaudited: {unaudited} reports")
    print(f"incidents_errors: {len(errors)} requests")
    # What one report costs: on a shared machine these do not depend on what else runs. The
    # app servers' figure is the one the intake's design answers for.
    print(f"incidents_app_cpu: {app_cpu * per_report:.1f} ms/report")
    print(f"incidents_db_cpu: {db_cpu * per_report:.1f} ms/report")
    print(f"incidents_client_cpu: {client_cpu * per_report:.1f} ms/report")
    setup = f"{args.workers} gunicorn {args.worker_class} workers x {args.threads} threads"
    print(f"# {setup}, {opened} client connections; {load()}")
    print(f"incidents_audit_chain: {'intact' if chain_intact else 'BROKEN'}")
    if not chain_intact:
        print(chain, file=sys.stderr)
    if errors:
        counts = {e: errors.count(e) for e in sorted(set(errors))}
        print(f"# not acknowledged: {counts}", file=sys.stderr)
    verdict = "met" if rate >= TARGET_SHARE * args.rate else "MISSED"
    print(f"incidents_rate_target: {verdict} (at least {TARGET_SHARE * args.rate:g} reports/s)")
    print(f"incidents_lost_target: {'met' if lost == 0 else 'MISSED'} (none lost)")
    return 1 if lost or unaudited or not chain_intact else 0


if __name__ == "__main__":
    sys.exit(main())
