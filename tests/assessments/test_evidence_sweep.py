"""The evidence sweep: files left behind by a rolled-back upload are found, and removed only when
asked; files a record points at, and files too new to judge, are never touched."""

import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction

from tests.factories import member, published_version
from weerbaar.assessments import services
from weerbaar.assessments.models import Evidence
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db

SWEEP_ACTION = "assessment.unreferenced_evidence_removed"


def age(name: str, hours: float) -> None:
    stamp = time.time() - hours * 3600
    os.utime(default_storage.path(name), (stamp, stamp))


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7 " + name.encode(), content_type="application/pdf")


@pytest.fixture
def stored(organisation):
    """One kept evidence file, one left behind by a rolled-back upload, one stray file in another
    month's folder (both a day and a half old) and one left behind a minute ago."""
    officer = member(Role.IBP_OFFICER, organisation).user
    assessment = services.start_assessment(
        actor=officer, organisation=organisation, framework_version=published_version()
    )
    score = assessment.scores.first()
    kept = services.add_evidence_file(actor=officer, score=score, upload=pdf("beleid.pdf"))
    age(kept.file.name, 48)

    def rolled_back_upload(name):
        # As when a later step of the same request fails: the row goes, the written file stays.
        with transaction.atomic():
            evidence = services.add_evidence_file(actor=officer, score=score, upload=pdf(name))
            transaction.set_rollback(True)
        return evidence.file.name

    orphan = rolled_back_upload("plan.pdf")
    age(orphan, 36)
    stray = default_storage.save("evidence/2020/01/oud.pdf", ContentFile(b"%PDF-1.7 oud"))
    age(stray, 36)
    fresh = rolled_back_upload("nieuw.pdf")
    assert Evidence.objects.count() == 1
    return {"kept": kept.file.name, "orphans": [orphan, stray], "fresh": fresh}


def sweep(*args) -> str:
    out = StringIO()
    call_command("sweep_evidence_files", *args, "--verbosity", "2", stdout=out)
    return out.getvalue()


def test_dry_run_lists_unreferenced_files_and_removes_nothing(stored):
    output = sweep()
    assert "stored: 4; without a record: 2" in output
    assert "too new to judge: 1" in output
    assert "Nothing removed (dry run)" in output
    for name in stored["orphans"]:
        assert name in output
    assert stored["kept"] not in output
    for name in [stored["kept"], stored["fresh"], *stored["orphans"]]:
        assert default_storage.exists(name)
    assert not AuditEntry.objects.filter(action=SWEEP_ACTION).exists()


def test_delete_removes_only_old_unreferenced_files_and_is_audited(stored):
    output = sweep("--delete")
    assert "Removed: 2." in output
    for name in stored["orphans"]:
        assert not default_storage.exists(name)
    assert default_storage.exists(stored["kept"])
    assert default_storage.exists(stored["fresh"])
    assert Evidence.objects.get().file.read().startswith(b"%PDF-1.7 beleid")
    entry = AuditEntry.objects.get(action=SWEEP_ACTION)
    assert entry.changes["files"] == 2
    assert entry.organisation_ref is None

    # Running it again finds nothing more and records nothing more.
    assert "without a record: 0" in sweep("--delete")
    assert AuditEntry.objects.filter(action=SWEEP_ACTION).count() == 1


def test_min_age_decides_what_is_too_new(stored):
    output = sweep("--delete", "--min-age", "0")
    assert "Removed: 3." in output
    assert not default_storage.exists(stored["fresh"])
    assert default_storage.exists(stored["kept"])


def test_no_evidence_folder_and_bad_input():
    assert "stored: 0; without a record: 0" in sweep("--delete")
    with pytest.raises(CommandError, match="negative"):
        sweep("--min-age", "-1")
