"""Where the signing key lives: an organisation's PKCS#12 file or a PKCS#11 token.

A token's PIN is given for one signing and never kept: the session is opened, used and closed
inside :meth:`KeySource.signer`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from pyhanko.sign import signers

from council.errors import Conflict, DomainError, Invalid
from council.i18n import N_
from council.signing.config import SigningConfig

_libs: dict[str, Any] = {}
_libs_lock = threading.Lock()


class WrongPin(DomainError):
    """The token refused the PIN; ``tries_left`` when the token says how many remain."""

    status = 422

    def __init__(self, tries_left: int | None, count_low: bool = False) -> None:
        if tries_left == 1:
            message = N_("The PIN is wrong. The token allows one more try before it locks.")
        elif not count_low:
            message = N_(
                "The PIN is wrong. Check it and try again: a token locks after a few wrong tries."
            )
        else:
            message = N_("The PIN is wrong. The token has few tries left before it locks.")
        super().__init__("wrong_pin", message, tries_left=tries_left, count_low=count_low)


class PinLocked(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "pin_locked",
            N_(
                "The token is locked after too many wrong PINs. Its security officer must unlock it."
            ),
        )


class NoSigningKey(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "signing_not_configured",
            N_("No signing key is configured: set SIGNING_PKCS11_MODULE or SIGNING_P12_PATH."),
        )


def _lib(module: str) -> Any:
    import pkcs11

    with _libs_lock:
        if module not in _libs:
            _libs[module] = pkcs11.lib(module)
        return _libs[module]


def _pin_state(token: Any) -> tuple[int | None, bool]:
    """What the token's flags say about the PIN: tries left (PKCS#11 only says 0 or 1, else no
    number) and whether a wrong PIN has been counted since the last right one."""
    from pkcs11 import TokenFlag

    flags = token.flags
    if flags & TokenFlag.USER_PIN_LOCKED:
        return 0, True
    if flags & TokenFlag.USER_PIN_FINAL_TRY:
        return 1, True
    return None, bool(flags & TokenFlag.USER_PIN_COUNT_LOW)


class KeySource:
    """Opens a pyHanko signer from the configured key, for one signing at a time."""

    def __init__(self, config: SigningConfig) -> None:
        self.config = config

    def _token(self) -> Any:
        lib = _lib(str(self.config.pkcs11_module))
        if self.config.pkcs11_slot is not None:
            for slot in lib.get_slots(token_present=True):
                if slot.slot_id == self.config.pkcs11_slot:
                    return slot.get_token()
            raise Conflict("token_missing", N_("The signing token is not plugged in."))
        try:
            return lib.get_token(token_label=self.config.pkcs11_label or None)
        except Exception as exc:  # NoSuchToken, MultipleTokensReturned
            raise Conflict(
                "token_missing",
                N_("The signing token is not plugged in, or more than one is and none is named."),
            ) from exc

    @contextlib.contextmanager
    def signer(self, pin: str | None = None) -> Iterator[signers.Signer]:
        """A signer for the configured key; a token needs the signer's ``pin``."""
        if self.config.pkcs11_module:
            with self._token_signer(pin) as signer:
                yield signer
        elif self.config.p12_path:
            password = (self.config.p12_password or "").encode()
            signer = signers.SimpleSigner.load_pkcs12(self.config.p12_path, passphrase=password)
            if signer is None:
                raise Conflict(
                    "signing_key_unreadable",
                    N_("The organisation's signing file cannot be read with its password."),
                )
            yield signer
        else:
            raise NoSigningKey()

    @contextlib.contextmanager
    def _token_signer(self, pin: str | None) -> Iterator[signers.Signer]:
        import pkcs11
        from pkcs11 import Attribute, ObjectClass
        from pyhanko.sign.pkcs11 import PKCS11Signer

        if not pin:
            raise Invalid(fields={"pin": str(N_("Enter the PIN of your signing token."))})
        token = self._token()
        try:
            session = token.open(user_pin=pin)
        except pkcs11.exceptions.PinLocked:
            raise PinLocked() from None
        except (pkcs11.exceptions.PinIncorrect, pkcs11.exceptions.PinLenRange):
            tries, low = _pin_state(self._token())
            if tries == 0:
                raise PinLocked() from None
            raise WrongPin(tries, low) from None
        try:
            keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
            if not keys:
                raise Conflict("token_empty", N_("The signing token holds no signing key."))
            key_id = keys[0][Attribute.ID]
            yield PKCS11Signer(session, key_id=key_id, cert_id=key_id, other_certs_to_pull=None)
        finally:
            session.close()
