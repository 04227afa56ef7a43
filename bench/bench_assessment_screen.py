"""How fast the assessment work page renders for a framework of IBP size, and how fast one norm's
answer is saved.

Data: a published framework of 94 norms in 15 domains (69 security norms in twelve domains, 25
privacy norms in three), each norm with its five level descriptions; one organisation with an
assessment in which every norm is answered and has a link as evidence, an open improvement action
for every third norm, and an earlier answered assessment on a second framework mapped to half
the norms, so that the page shows suggestions too.

Figures, each printed as `metric: value unit`:

- `assessment_screen_queries`: the queries of the work page itself (view, templates and context
  processors), the highest over all 15 domains;
- `assessment_screen_request_queries`: the same request through the whole middleware stack, which
  adds the platform's own per-request work (session, sign-in, second factor, navigation);
- `assessment_screen_request_queries_small`: the same for a framework of two norms;
- `assessment_screen_renewal_queries`: a request that also renews the session's idle expiry and
  records its activity, which happens at most once a minute per session;
- `assessment_screen_median` (and `_cpu_median`): median server time (and this process's CPU
  time) of the work page over 30 requests per domain, through the Django test client and its full
  middleware stack;
- `score_save_median` (and `_cpu_median`): median server time of saving one norm's level with
  htmx (30 saves, each a real change, so every one writes the score and its audit entry).

Targets: at most 15 queries for the whole request, 150 ms median for the page, 50 ms median for
a save. The script exits 1 when the whole request uses more than 15 queries or when its count
differs between the small and the large framework (a query per norm has crept in); a slower time
is printed, not a failure.

Runs on a fresh SQLite database in a temporary directory, so it touches no one's data.
"""

import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

# 69 security norms in twelve domains, 25 privacy norms in three.
DOMAINS = [6] * 11 + [3, 9, 8, 8]
# The same page for a framework of one domain with two norms.
SMALL_DOMAINS = [2]
RUNS_PER_DOMAIN = 30
SAVES = 30
TARGET_QUERIES = 15
TARGET_PAGE_MS = 150.0
TARGET_SAVE_MS = 50.0


def build():
    """The framework, the organisation, its people and a fully answered assessment."""
    from allauth.mfa.models import Authenticator

    from weerbaar.accounts import crypto
    from weerbaar.accounts.models import User
    from weerbaar.assessments import services
    from weerbaar.assessments.models import NormScore
    from weerbaar.core.permissions import Role
    from weerbaar.frameworks.choices import VersionStatus
    from weerbaar.frameworks.models import Domain, Framework, FrameworkVersion, Mapping, Norm
    from weerbaar.organisations.choices import OrganisationKind
    from weerbaar.organisations.models import Membership, Organisation, Sector

    def framework(code: str, domains: list[int]) -> FrameworkVersion:
        version = FrameworkVersion.objects.create(
            framework=Framework.objects.create(code=code, name_nl=f"Normenkader {code}"),
            label="1",
            status=VersionStatus.PUBLISHED,
            scored=True,
        )
        position = 0
        for d, count in enumerate(domains):
            domain = Domain.objects.create(
                version=version,
                code=f"{code[:2]}{d + 1:02d}",
                title_nl=f"Domein {d + 1}",
                position=d,
            )
            for n in range(count):
                position += 1
                Norm.objects.create(
                    version=version,
                    domain=domain,
                    code=f"{domain.code}.{n + 1:02d}",
                    title_nl=f"Norm {n + 1} van domein {d + 1}",
                    statement_nl="De organisatie heeft dit geregeld, vastgelegd en belegd. " * 3,
                    levels={
                        str(level): {
                            "nl": f"Niveau {level}: zo ziet het eruit op dit niveau. " * 3,
                            "en": f"Level {level}: what it looks like at this level. " * 3,
                        }
                        for level in range(1, 6)
                    },
                    position=position,
                )
        return version

    organisation = Organisation.objects.create(
        name="Stichting Benchmark",
        kind=OrganisationKind.SCHOOL_BOARD,
        sector=Sector.objects.get_or_create(code="PO")[0],
        board_number="99999",
    )
    user = User.objects.create(email="ibp@example.test", full_name="IBP-coördinator")
    Membership.objects.create(user=user, organisation=organisation, role=Role.IBP_OFFICER)
    # The second factor an IBP officer must have; the test client signs in with it passed.
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": crypto.encrypt("JBSWY3DPEHPK3PXP")}
    )

    other = framework("ISO", [47])
    other_norms = list(other.norms.order_by("position"))
    earlier = services.start_assessment(actor=user, organisation=organisation, framework_version=other)
    for score in NormScore.objects.filter(assessment=earlier):
        services.save_score(actor=user, score=score, level=3)

    def answered(code: str, domains: list[int]):
        """A framework of `domains`, half its norms mapped to the earlier one, fully answered."""
        version = framework(code, domains)
        for index, norm in enumerate(version.norms.order_by("position")):
            if index % 2 == 0:
                Mapping.objects.create(source=norm, target=other_norms[index // 2])
        assessment = services.start_assessment(actor=user, organisation=organisation, framework_version=version)
        for index, score in enumerate(NormScore.objects.filter(assessment=assessment).select_related("norm")):
            services.save_score(
                actor=user,
                score=score,
                level=1 + index % 5,
                justification="Zo hebben we het geregeld. " * 4,
            )
            services.add_evidence_link(
                actor=user,
                score=score,
                url=f"https://intranet.example.org/{score.norm.code}",
                name="Verslag",
            )
            if index % 3 == 0:
                services.create_improvement_action(
                    actor=user,
                    organisation=organisation,
                    title=f"Verbeteren: {score.norm.code}",
                    framework=version.framework,
                    norm_code=score.norm.code,
                )
        return assessment, version

    # The same page for a framework of one domain with two norms: its query count must be the same.
    small = answered("KLEIN", SMALL_DOMAINS)
    assessment, version = answered("IBP", DOMAINS)
    return user, assessment, version, small


def own_queries(user, path: str) -> int:
    """The page's own queries, without the middleware's per-request work."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve
    from django_htmx.middleware import HtmxDetails

    request = RequestFactory().get(path)
    request.user = user
    request.htmx = HtmxDetails(request)
    match = resolve(request.path_info)
    with CaptureQueriesContext(connection) as queries:
        response = match.func(request, *match.args, **match.kwargs)
    if response.status_code != 200:
        raise RuntimeError(f"work page answered {response.status_code}")
    return len(queries)


def request_queries(client, path: str) -> int:
    """The queries of one whole request (every middleware, the view, templates, session save)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200 or b'class="norm"' not in response.content:
        raise RuntimeError(f"work page answered {response.status_code}")
    return len(queries)


def age_session(client) -> None:
    """Make the session's last renewal more than a minute old, so the next request renews the
    idle expiry and records the session's activity (what one request a minute does)."""
    from weerbaar.accounts.middleware import SESSION_RENEW_SECONDS, SESSION_SEEN_KEY

    session = client.session
    seen = session[SESSION_SEEN_KEY]
    session[SESSION_SEEN_KEY] = [seen[0] - SESSION_RENEW_SECONDS - 1, *seen[1:]]
    session.save()


def measure(user, assessment, version, small) -> dict[str, float]:
    from django.test import Client
    from django.urls import reverse

    from weerbaar.assessments.forms import norm_prefix

    client = Client()
    client.force_login(user)
    page = reverse("assessments:assessment_detail", args=[assessment.public_id])
    domains = list(version.domains.order_by("position").values_list("code", flat=True))

    def get(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200 or b'class="norm"' not in response.content:
            raise RuntimeError(f"work page answered {response.status_code}")

    figures: dict[str, float] = {"own": 0, "request": 0, "renewal": 0}
    times, cpu = [], []
    for code in domains:
        path = f"{page}?domain={code}"
        get(path)  # templates compiled, session warm
        figures["own"] = max(figures["own"], own_queries(user, path))
        figures["request"] = max(figures["request"], request_queries(client, path))
        age_session(client)
        figures["renewal"] = max(figures["renewal"], request_queries(client, path))
        for _ in range(RUNS_PER_DOMAIN):
            started, started_cpu = time.perf_counter(), time.process_time()
            get(path)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    figures["page_ms"] = statistics.median(times) * 1000
    figures["page_cpu_ms"] = statistics.median(cpu) * 1000

    small_assessment, _small_version = small
    small_page = reverse("assessments:assessment_detail", args=[small_assessment.public_id])
    get(small_page)
    figures["small_request"] = request_queries(client, small_page)
    figures["small_norms"] = small_assessment.scores.count()

    code = version.norms.order_by("position").values_list("code", flat=True).first()
    save = reverse("assessments:norm_answer", args=[assessment.public_id, code])
    prefix = norm_prefix(code)
    saves, saves_cpu = [], []
    for run in range(SAVES + 1):
        data = {
            f"{prefix}-level": str(1 + run % 5),
            f"{prefix}-justification": f"Stand van zaken {run}",
        }
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(save, data, HTTP_HX_REQUEST="true")
        elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if response.status_code != 200 or b"data-announce" not in response.content:
            raise RuntimeError(f"saving answered {response.status_code}")
        if run:  # the first save warms the fragment's templates
            saves.append(elapsed)
            saves_cpu.append(elapsed_cpu)
    figures["save_ms"] = statistics.median(saves) * 1000
    figures["save_cpu_ms"] = statistics.median(saves_cpu) * 1000
    return figures


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="weerbaar-bench-") as data_dir:
        os.environ["WEERBAAR_DATA_DIR"] = data_dir
        os.environ.setdefault("WEERBAAR_CACHE_URL", "locmem://")
        os.environ.setdefault("WEERBAAR_DEBUG", "false")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weerbaar.config.settings")
        # The temporary data directory has no collected static files; the pages do not need them.
        warnings.filterwarnings("ignore", message="No directory at")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        user, assessment, version, small = build()
        figures = measure(user, assessment, version, small)
        norms = version.norms.count()
        connection.close()

    print(f"# assessment screen: {norms} norms in {len(DOMAINS)} domains, every norm answered with evidence")
    print(f"assessment_screen_queries: {figures['own']:.0f} queries")
    print("# the view, its templates and context processors alone")
    print(f"assessment_screen_request_queries: {figures['request']:.0f} queries")
    print(f"# target: assessment_screen_request_queries at most {TARGET_QUERIES} queries, whatever the number of norms")
    print("# the whole request: session, sign-in, second factor, navigation, the page")
    print(f"assessment_screen_request_queries_small: {figures['small_request']:.0f} queries")
    print(f"# the same page for a framework of {figures['small_norms']:.0f} norms")
    print(f"assessment_screen_renewal_queries: {figures['renewal']:.0f} queries")
    print("# a request that also renews the session and records its activity (at most once a minute)")
    print(f"assessment_screen_median: {figures['page_ms']:.1f} ms")
    print(f"assessment_screen_cpu_median: {figures['page_cpu_ms']:.1f} ms")
    print(f"# target: assessment_screen_median at most {TARGET_PAGE_MS:.0f} ms")
    print(f"score_save_median: {figures['save_ms']:.1f} ms")
    print(f"score_save_cpu_median: {figures['save_cpu_ms']:.1f} ms")
    print(f"# target: score_save_median at most {TARGET_SAVE_MS:.0f} ms")
    print("# cpu: this process's CPU time, undistorted by other work on the machine")
    problems = []
    if figures["request"] != figures["small_request"]:
        problems.append(
            f"the request's queries grow with the number of norms "
            f"({figures['small_request']:.0f} for {figures['small_norms']:.0f} norms, "
            f"{figures['request']:.0f} for {norms})"
        )
    if max(figures["request"], figures["renewal"]) > TARGET_QUERIES:
        problems.append(f"more than {TARGET_QUERIES} queries for the whole request")
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
