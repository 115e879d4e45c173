"""PAdES signing and verification against a certomancer PKI, checked by pyHanko and pdfsig."""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from fpdf import FPDF
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from council.signing import Signatory, SigningConfig, load_trust_roots, sign_pdf, verify_pdf
from council.signing.pades import CertificateRefused
from council.signing.verify import BROKEN, INTACT, UNSIGNED, UNTRUSTED
from tests.signing import tools
from tests.signing.pki import P12_PASSWORD, TestPki

SECRETARY = Signatory("Secretary", "Trần Thị Thư Ký", "Thư ký kỳ họp", "left")
CHAIR = Signatory("Chair", "Nguyễn Văn Chủ", "Chủ tọa kỳ họp", "right")


def draft_pdf(text: str = "Bien ban ky hop") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(w=0, text=text * 20)
    return bytes(pdf.output())


def p12_config(pki: TestPki, who: str, *, tsa: bool = False) -> SigningConfig:
    return SigningConfig(
        p12_path=str(pki.p12(who)),
        p12_password=P12_PASSWORD,
        trust_roots=str(pki.roots_dir),
        tsa_url=pki.tsa_url if tsa else None,
    )


def signed_by_both(pki: TestPki, *, tsa: bool = False) -> bytes:
    first = sign_pdf(draft_pdf(), SECRETARY, p12_config(pki, "secretary", tsa=tsa))
    return sign_pdf(first, CHAIR, p12_config(pki, "chair", tsa=tsa))


@pytest.fixture(scope="module")
def both(pki: TestPki) -> bytes:
    return signed_by_both(pki)


def test_secretary_then_chair_both_validate(pki: TestPki, both: bytes) -> None:
    report = verify_pdf(both, load_trust_roots(pki.roots_dir))
    assert [s.signer for s in report.signatures] == ["Trần Thị Thư Ký", "Nguyễn Văn Chủ"]
    for sig in report.signatures:
        assert sig.intact and sig.trusted and not sig.revoked and not sig.modified_after
        assert sig.level == "PAdES B-B (revocation data embedded)"
        assert sig.timestamp is None
    # the secretary's signature was followed by the chair's: a form-filling update, nothing else
    assert report.signatures[0].later_changes == "form_filling"
    assert report.signatures[1].covers_whole_file is False  # the revocation data came after
    assert report.exit_code == INTACT


def test_the_stamp_is_drawn_with_liberation_serif(both: bytes) -> None:
    assert b"LiberationSerif" in both
    from pypdf import PdfReader

    annots = [a.get_object() for a in PdfReader(BytesIO(both)).pages[-1]["/Annots"]]
    assert {a["/T"] for a in annots} == {"Secretary", "Chair"}
    assert all(a["/Rect"][2] - a["/Rect"][0] > 100 for a in annots)  # visible, not 0×0


def test_pdfsig_agrees(pki: TestPki, both: bytes, tmp_path: Path) -> None:
    nss = tools.nss_db(tmp_path / "nss", [pki.cert_pem("root")])
    path = tmp_path / "minutes.pdf"
    path.write_bytes(both)
    out = tools.pdfsig(path, nss)
    assert out.count("Signature is Valid.") == 2, out
    assert out.count("Signature Type: ETSI.CAdES.detached") == 2, out  # PAdES, not adbe.pkcs7
    # pdfsig 22.12 answers "Unknown issue with Certificate" for this test PKI's chain although
    # `certutil -V -u S` accepts it; its trust verdict is not asserted here (docs/signing.md).
    assert "Trần Thị Thư Ký" in out and "Nguyễn Văn Chủ" in out


def test_timestamped_signatures_are_b_lt(pki: TestPki) -> None:
    report = verify_pdf(signed_by_both(pki, tsa=True), load_trust_roots(pki.roots_dir))
    assert [s.level for s in report.signatures] == ["PAdES B-LT", "PAdES B-LT"]
    assert all(s.timestamp is not None and s.timestamp_trusted for s in report.signatures)
    assert report.exit_code == INTACT


def test_one_byte_changed_is_detected(pki: TestPki, both: bytes, tmp_path: Path) -> None:
    data = bytearray(both)
    at = data.index(b"stream", 100) + 20  # inside the first page's content, covered by both
    data[at] ^= 0x01
    report = verify_pdf(bytes(data), load_trust_roots(pki.roots_dir))
    assert report.exit_code == BROKEN
    assert not any(s.intact for s in report.signatures)
    pdfsig_out = tools.pdfsig(
        _write(tmp_path, bytes(data)), tools.nss_db(tmp_path / "nss", [pki.cert_pem("root")])
    )
    assert "Signature is Valid." not in pdfsig_out


def test_content_appended_after_signing_is_reported(pki: TestPki, both: bytes) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(both))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    from pyhanko.pdf_utils import generic

    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 30 Tf (FAKE) Tj ET")
    )
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), load_trust_roots(pki.roots_dir))
    assert all(s.intact for s in report.signatures)  # each signed revision is unchanged …
    assert all(s.modified_after for s in report.signatures)  # … but the page was changed after
    assert report.exit_code == BROKEN


def test_a_revoked_signer_is_reported(pki: TestPki) -> None:
    # signed without checking (as by a signer who did not know yet): the verifier must notice
    signer = signers.SimpleSigner.load_pkcs12(
        str(pki.p12("revoked")), passphrase=P12_PASSWORD.encode()
    )
    assert signer is not None
    out = BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(draft_pdf())),
        signers.PdfSignatureMetadata(field_name="Chair"),
        signer=signer,
        output=out,
    )
    report = verify_pdf(out.getvalue(), load_trust_roots(pki.roots_dir))
    assert report.signatures[0].intact and report.signatures[0].revoked
    assert report.exit_code == UNTRUSTED


def test_signing_with_a_revoked_certificate_is_refused(pki: TestPki) -> None:
    with pytest.raises(CertificateRefused):
        sign_pdf(draft_pdf(), CHAIR, p12_config(pki, "revoked"))


def test_untrusted_and_unsigned(pki: TestPki, both: bytes) -> None:
    assert verify_pdf(both, []).exit_code == UNTRUSTED
    assert verify_pdf(draft_pdf(), load_trust_roots(pki.roots_dir)).exit_code == UNSIGNED
    assert verify_pdf(b"not a pdf", []).exit_code == BROKEN


def _write(folder: Path, data: bytes, name: str = "file.pdf") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_cli_exit_codes(pki: TestPki, both: bytes, tmp_path: Path) -> None:
    def run(path: Path, *more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "council.cli", "verify-pdf", str(path), *more],
            capture_output=True,
            text=True,
            timeout=120,
            env={"COUNCIL_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
        )

    roots = ("--trust-roots", str(pki.roots_dir))
    good = run(_write(tmp_path, both, "good.pdf"), *roots)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Nguyễn Văn Chủ" in good.stdout and "Traceback" not in good.stderr
    assert run(_write(tmp_path, both, "good.pdf")).returncode == 3  # no trust roots
    tampered = bytearray(both)
    tampered[tampered.index(b"stream", 100) + 20] ^= 1
    assert run(_write(tmp_path, bytes(tampered), "bad.pdf"), *roots).returncode == 1
    assert run(_write(tmp_path, draft_pdf(), "plain.pdf"), *roots).returncode == 2


def test_an_archive_copy_is_b_lta(pki: TestPki) -> None:
    """With a timestamp authority, an archive copy gets a document timestamp on top (B-LTA); the
    signature under it stays intact and trusted."""
    data = sign_pdf(draft_pdf(), CHAIR, p12_config(pki, "chair", tsa=True), archive=True)
    report = verify_pdf(data, load_trust_roots(pki.roots_dir))
    assert [s.level for s in report.signatures] == ["PAdES B-LTA"]
    assert report.signatures[0].intact and report.signatures[0].trusted
    assert report.exit_code == INTACT
