"""Login throttling that an attacker cannot turn against the account holder.

Failed logins are counted in budgets (``COUNT/SECONDS`` windows, see ``council.ratelimit``):

- a device the account logged in from before (its signed cookie, ``council.devices``) has its own
  budget for that account, and no other: failures elsewhere, from any number of addresses, never
  lock it out;
- any other device is held to three budgets at once: its address (sized for a hall where some
  hundred tablets share one public address), the (account, address) pair, and the account as a
  whole. The last is what stops a guesser who rotates addresses; it is also what can lock out a
  new device of the holder, which the secretariat then unlocks for that one device.

When the account's own budget runs out, its holder is told (at most once an hour).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from council.mailer import MailConfig
from council.ratelimit import Rate
from council.settings import Settings

ALERT_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class LoginPolicy:
    pair: Rate  # per (account, address) and per known device
    ip: Rate  # per address, unknown devices
    account: Rate  # per account, unknown devices
    mail: MailConfig

    @classmethod
    def of(cls, settings: Settings) -> LoginPolicy:
        return cls(
            Rate.parse(settings.login_rate),
            Rate.parse(settings.login_ip_rate),
            Rate.parse(settings.login_account_rate),
            MailConfig.of(settings),
        )


@dataclass(frozen=True)
class Budget:
    key: str
    rate: Rate
    account_wide: bool = False  # the budget whose exhaustion means "this account is guessed"


def budgets(policy: LoginPolicy, username: str, ip: str, known_device: str | None) -> list[Budget]:
    """The budgets a login attempt draws on: a known device's own, or the three of the others."""
    if known_device is not None:
        return [Budget(f"login:device:{username}:{known_device}", policy.pair)]
    return [
        Budget(f"login:ip:{ip}", policy.ip),
        Budget(f"login:pair:{username}:{ip}", policy.pair),
        Budget(f"login:user:{username}", policy.account, account_wide=True),
    ]


def alert_due() -> Q:
    """Users whose holder may be told again now (the last alert over an hour ago)."""
    return Q(guess_alert_at__isnull=True) | Q(guess_alert_at__lt=datetime.now(UTC) - ALERT_EVERY)
