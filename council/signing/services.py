"""The operations on signed files that routes call: ``pdf.verify`` (public)."""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.datastructures import UploadFile

from council import audit, workers
from council.errors import DomainError, TooLarge
from council.i18n import N_
from council.ratelimit import Rate, limiter
from council.settings import Settings
from council.signing.config import trust_roots_dir
from council.signing.verify import verify_bytes

# A public check of an uploaded file fetches revocation data from the URLs its certificates name,
# as the check of a returned signature does (``council.signing.sessions``): each request gives up
# after FETCH_TIMEOUT, each signature's validation makes FETCH_LIMITS' requests at most, and the
# whole check runs in its own lane of worker processes, past which it is stopped with a clear
# "took too long": a hostile or hanging authority makes the next checks wait, never the pages'
# renders and the uploads, which keep the shared worker slots.
VERIFY_LIMITS = workers.Limits(memory_mb=768, seconds=45.0, jobs=2, lane="pdf-verify")
FETCH_TIMEOUT = 5.0


class VerifyTimedOut(DomainError):
    """Checking the file took longer than :data:`VERIFY_LIMITS` allows."""

    status = 504

    def __init__(self) -> None:
        super().__init__(
            "verify_timeout",
            N_(
                "Checking this file took too long: the revocation service of a signer's "
                "certificate authority did not answer in time. Try again later."
            ),
        )


async def pdf_verify(upload: UploadFile, settings: Settings, ip: str) -> dict[str, Any]:
    """Check the uploaded PDF's signatures in a worker process; the file is never stored."""
    await limiter().consume(f"pdf.verify:{ip}", Rate.parse(settings.verify_rate))
    max_bytes = settings.max_upload_mb << 20
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(max_mb=settings.max_upload_mb)
    if not data:
        raise DomainError("empty_file", N_("The file is empty."), status=422)
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise DomainError("not_a_pdf", N_("Only PDF files can be checked here."), status=422)
    try:
        report = await workers.run(
            verify_bytes, data, trust_roots_dir(settings), FETCH_TIMEOUT, limit=VERIFY_LIMITS
        )
    except workers.WorkerLimit as exc:
        if exc.details.get("limit") == "time":
            raise VerifyTimedOut() from None
        raise
    # which file was checked and the verdict; not the file, not who sent it
    await audit.record(
        "pdf.verify",
        target_type="pdf",
        target_id=hashlib.sha256(data).hexdigest(),
        details={"exit_code": report["exit_code"], "signatures": len(report["signatures"])},
    )
    return report
