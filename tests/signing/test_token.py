"""Signing with a real PKCS#11 token (SoftHSM2): the PIN is given at signing time."""

from __future__ import annotations

from pathlib import Path

import pytest

from council.signing import SigningConfig, WrongPin, load_trust_roots, sign_pdf, verify_pdf
from council.signing.verify import INTACT
from tests.signing.pki import TestPki
from tests.signing.test_pades import CHAIR, SECRETARY, draft_pdf, p12_config
from tests.signing.token import USER_PIN


@pytest.fixture(scope="module")
def chair_token(pki: TestPki, chair_token_made: tuple[str, str]) -> SigningConfig:
    module, label = chair_token_made
    return SigningConfig(pkcs11_module=module, pkcs11_label=label, trust_roots=str(pki.roots_dir))


def test_the_chair_signs_with_the_token_after_the_secretary(
    pki: TestPki, chair_token: SigningConfig, tmp_path: Path
) -> None:
    first = sign_pdf(draft_pdf(), SECRETARY, p12_config(pki, "secretary"))
    both = sign_pdf(first, CHAIR, chair_token, pin=USER_PIN)
    report = verify_pdf(both, load_trust_roots(pki.roots_dir))
    assert [s.signer for s in report.signatures] == ["Trần Thị Thư Ký", "Nguyễn Văn Chủ"]
    assert report.exit_code == INTACT


def test_a_wrong_pin_is_refused_and_not_kept(chair_token: SigningConfig) -> None:
    with pytest.raises(WrongPin) as caught:
        sign_pdf(draft_pdf(), CHAIR, chair_token, pin="000000")
    assert caught.value.status == 422 and caught.value.code == "wrong_pin"
    # SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a wrong PIN but gives no final-try flag
    assert caught.value.details == {"tries_left": None, "count_low": True}
    assert "ít lần thử" in str(caught.value.message)
    assert "000000" not in repr(chair_token)
    # the right PIN still works afterwards
    assert sign_pdf(draft_pdf(), CHAIR, chair_token, pin=USER_PIN)[:5] == b"%PDF-"
