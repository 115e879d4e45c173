"""Check every signature of a PDF: intact, changed after signing, trusted, revoked.

Exit codes of ``council verify-pdf`` (:attr:`Report.exit_code`): 0 every signature intact and
trusted, 1 a signature broken or the document modified after signing, 2 no signature, 3 intact
but the chain is untrusted or revoked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import x509

from council.signing.config import load_trust_roots

INTACT, BROKEN, UNSIGNED, UNTRUSTED = 0, 1, 2, 3


@dataclass
class SignatureReport:
    field: str
    signer: str | None = None
    issuer: str | None = None
    signed_at: datetime | None = None  # the time the signer's computer claimed
    timestamp: datetime | None = None  # from a timestamp authority, when there is one
    timestamp_trusted: bool | None = None
    intact: bool = False  # the signed bytes are unchanged and the signature matches them
    modified_after: bool = True  # a later revision changed more than signatures and form fields
    covers_whole_file: bool = False
    later_changes: str | None = None  # what later revisions did: none, signatures, …
    trusted: bool = False
    revoked: bool = False
    level: str | None = None
    problem: str | None = None

    @property
    def verdict(self) -> int:
        if not self.intact or self.modified_after:
            return BROKEN
        if not self.trusted or self.revoked:
            return UNTRUSTED
        return INTACT


@dataclass
class Report:
    signatures: list[SignatureReport] = field(default_factory=list)
    problem: str | None = None  # the file itself could not be read

    @property
    def exit_code(self) -> int:
        if self.problem is not None:
            return BROKEN
        if not self.signatures:
            return UNSIGNED
        return max(s.verdict for s in self.signatures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "exit_code": self.exit_code,
            "problem": self.problem,
            "signatures": [{**asdict(s), "verdict": s.verdict} for s in self.signatures],
        }


def _name(cert: x509.Certificate | None, part: str = "subject") -> str | None:
    if cert is None:
        return None
    name = getattr(cert, part)
    return str(name.native.get("common_name") or name.human_friendly)


# Revocation data is fetched from URLs that the certificates themselves name: a hostile one can
# name many, or one that never answers. Each request gives up after ``fetch_timeout`` seconds of
# silence and a validation (one signature: one validation context) makes a few requests at most,
# so that their timeouts together fit inside the caller's worker time limit
# (``council.signing.sessions.CHECK_LIMITS``: 6 × 5 s = 30 s of 40 s). A real chain needs a few:
# the signer's OCSP or CRL, its issuer's, perhaps an issuer certificate.
FETCH_LIMITS = {"max_requests": 6, "max_cert_requests": 2, "max_aia_urls_per_object": 2}


def verify_pdf(
    data: bytes,
    roots: list[x509.Certificate],
    *,
    fetch_timeout: float | None = None,
    only_field: str | None = None,
) -> Report:
    """A report on each signature of ``data``, checked against ``roots`` (blocking: network
    requests for revocation data; run it in a worker process for files from outside).
    ``fetch_timeout``: fetch with a bounded backend (seconds per request, :data:`FETCH_LIMITS`).
    ``only_field``: report (and fetch revocation data for) that signature only: the one just
    added, the others were checked when they were made."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        return Report(problem=f"not a readable PDF: {exc}")
    backend = None
    if fetch_timeout is not None:
        from pyhanko_certvalidator.fetchers.api import FetchLimits
        from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

        backend = RequestsFetcherBackend(
            per_request_timeout=fetch_timeout, limits=FetchLimits(**FETCH_LIMITS)
        )
    report = Report()
    for sig in embedded:
        if only_field is not None and sig.field_name != only_field:
            continue
        entry = SignatureReport(field=sig.field_name)
        report.signatures.append(entry)
        entry.signer = _name(sig.signer_cert)
        entry.issuer = _name(sig.signer_cert, "issuer")
        entry.signed_at = sig.self_reported_timestamp
        context = ValidationContext(
            trust_roots=roots,
            allow_fetching=True,
            revocation_mode="soft-fail",
            fetcher_backend=backend,
        )
        try:
            status = validate_pdf_signature(sig, context, key_usage_settings=None)
        except Exception as exc:  # a damaged signature container fails in many ways
            entry.problem = f"{type(exc).__name__}: {exc}"
            continue
        entry.intact = bool(status.intact and status.valid)
        entry.trusted = bool(status.trusted) and bool(roots)
        entry.revoked = bool(status.revoked)
        entry.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        mod = status.modification_level
        entry.later_changes = mod.name.lower() if mod is not None else None
        entry.modified_after = not (
            status.docmdp_ok is not False
            and status.coverage is not None
            and status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION
            and mod is not None
            and mod <= ModificationLevel.FORM_FILLING
        )
        if status.timestamp_validity is not None:
            entry.timestamp = status.timestamp_validity.timestamp
            entry.timestamp_trusted = bool(status.timestamp_validity.trusted)
        entry.level = _level(reader, status)
        if status.trust_problem_indic is not None and not entry.trusted:
            entry.problem = str(
                getattr(status.trust_problem_indic, "name", status.trust_problem_indic)
            )
    return report


def _level(reader: Any, status: Any) -> str:
    has_dss = "/DSS" in reader.root
    if status.timestamp_validity is None:
        return "PAdES B-B" + (" (revocation data embedded)" if has_dss else "")
    has_doc_ts = any(True for _ in reader.embedded_timestamp_signatures)
    return "PAdES B-LTA" if has_doc_ts else ("PAdES B-LT" if has_dss else "PAdES B-T")


VERDICTS = {
    INTACT: "intact and trusted",
    BROKEN: "BROKEN or modified after signing",
    UNSIGNED: "no signature",
    UNTRUSTED: "intact, but the certificate is not trusted or is revoked",
}


def describe(report: Report) -> list[str]:
    """The report as lines of text (``council verify-pdf``)."""
    if report.problem:
        return [f"unreadable: {report.problem}", f"verdict: {VERDICTS[BROKEN]}"]
    lines: list[str] = []
    for n, s in enumerate(report.signatures, 1):
        lines += [
            f"signature {n} ({s.field}): {VERDICTS[s.verdict]}",
            f"  signer: {s.signer} (issued by {s.issuer})",
            f"  signed at: {s.signed_at.isoformat() if s.signed_at else '-'}",
            f"  timestamp: {s.timestamp.isoformat() if s.timestamp else 'none'}",
            f"  intact: {'yes' if s.intact else 'NO'}; modified after signing: "
            f"{'YES' if s.modified_after else 'no'} (later changes: {s.later_changes or '-'})",
            f"  trusted: {'yes' if s.trusted else 'no'}; revoked: {'YES' if s.revoked else 'no'}",
            f"  level: {s.level or '-'}" + (f"; problem: {s.problem}" if s.problem else ""),
        ]
    lines.append(f"verdict: {VERDICTS[report.exit_code]}")
    return lines


def verify_path(path: str, roots_dir: str | None) -> Report:
    """For a worker job and the CLI: read the file and the trust roots, then verify."""
    return verify_pdf(Path(path).read_bytes(), load_trust_roots(roots_dir))


def verify_bytes(
    data: bytes, roots_dir: str | None, fetch_timeout: float | None = None
) -> dict[str, Any]:
    """A worker job: the report as plain data (it travels pickled). ``fetch_timeout``: fetch
    revocation data with the bounded backend (as ``verify_pdf``)."""
    return verify_pdf(data, load_trust_roots(roots_dir), fetch_timeout=fetch_timeout).as_dict()
