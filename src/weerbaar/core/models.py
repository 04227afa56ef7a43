"""Base models shared by every app, and the audit log."""

import hashlib
import json
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from weerbaar.core.tenancy import ScopedQuerySet


class PublicIdModel(models.Model):
    """A record with a random public identifier, used in URLs and the API.

    Integer keys stay internal so that ids shown to users reveal nothing about sector-wide
    counts (how many incidents, how many assessments).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """One recorded change: who did what to which record of which organisation.

    Entries form a hash chain: each carries the hash of the one before, so that a changed,
    removed or reordered entry is found by `manage.py audit_verify`.
    """

    tenant_field = "organisation_ref"

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False, db_index=True)
    actor_ref = models.BigIntegerField(null=True, blank=True, editable=False)
    actor_label = models.CharField(max_length=254, blank=True, editable=False)
    # The organisation the change belongs to; a plain id so that the log outlives any record.
    # Found by the (organisation_ref, -seq) index below; an index of its own would be one more
    # write for every entry.
    organisation_ref = models.BigIntegerField(null=True, blank=True, editable=False)
    action = models.CharField(max_length=100, editable=False)
    object_type = models.CharField(max_length=100, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    object_label = models.CharField(max_length=300, blank=True, editable=False)
    changes = models.JSONField(default=dict, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["organisation_ref", "-seq"], name="core_audit_org_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")

    def compute_hash(self) -> str:
        payload = {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor_ref": self.actor_ref,
            "actor_label": self.actor_label,
            "organisation_ref": self.organisation_ref,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "changes": self.changes,
            "prev_hash": self.prev_hash,
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AuditChainHead(models.Model):
    """The last link of the audit chain, one row.

    Appending locks this row, which serialises writers on PostgreSQL; it also lets the verifier
    notice entries cut off the end of the chain.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
