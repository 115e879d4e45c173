"""Remote signing sessions: a PDF prepared with its signature placeholder, waiting for the CMS
signature a signer's own client (a USB token on their computer, a remote signing service)
returns. Part of the core's Tortoise app (``council.db.APPS``)."""

from __future__ import annotations

import uuid

from tortoise import fields
from tortoise.models import Model


class SigningSession(Model):
    """One prepared signature: the document up to its placeholder, the digest the signer signs,
    where the CMS goes, who may complete it and until when. Used once."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user_id = fields.IntField(db_index=True)
    # what is being signed, named by the domain that asked: ("resolution", 12), ("minutes", 7)
    target_type = fields.CharField(max_length=32)
    target_id = fields.IntField()
    field_name = fields.CharField(max_length=64)
    prepared = fields.BinaryField()
    digest = fields.CharField(max_length=128)  # hex
    digest_algorithm = fields.CharField(max_length=16, default="sha256")
    region_start = fields.IntField()
    region_end = fields.IntField()
    certificate = fields.BinaryField(null=True)  # DER, when the signer named it at preparing
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "signing_session"


class SigningCertificate(Model):
    """A signer's certificate, registered to their account by an administrator: a remote
    signature is accepted only from a certificate registered to the user who completes it."""

    id = fields.IntField(primary_key=True)
    user_id = fields.IntField(db_index=True)
    sha256 = fields.CharField(max_length=64, unique=True)  # of the DER; one person per certificate
    subject = fields.CharField(max_length=500)
    issuer = fields.CharField(max_length=500)
    serial = fields.CharField(max_length=100)  # hex
    not_after = fields.DatetimeField()
    der = fields.BinaryField()
    registered_by_id = fields.IntField(null=True)
    registered_at = fields.DatetimeField()

    @property
    def common_name(self) -> str:
        """The holder's name (the subject's CN): what the pages show. The whole subject of a
        personal certificate carries the citizen's ID number (``UID=CCCD:…``); it stays here."""
        from asn1crypto import x509

        try:
            name = x509.Certificate.load(bytes(self.der)).subject.native.get("common_name")
        except (ValueError, TypeError, KeyError):
            return ""
        if isinstance(name, list):
            name = ", ".join(str(n) for n in name)
        return str(name or "")[:200]

    class Meta:
        table = "signing_certificate"
