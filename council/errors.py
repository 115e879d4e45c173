"""The one domain error type. Handlers turn it into HTTP JSON, an htmx fragment or a Socket.IO ack."""

from __future__ import annotations

from typing import Any

from council.i18n import N_, LazyString


class DomainError(Exception):
    """A rule was broken. ``code`` is stable; ``message`` is translated when shown."""

    status = 400

    def __init__(
        self,
        code: str,
        message: LazyString | str,
        status: int | None = None,
        **details: Any,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.message = message if isinstance(message, LazyString) else LazyString(message)
        if status is not None:
            self.status = status
        self.details = details

    def __reduce__(self) -> tuple[Any, ...]:
        # A job in a worker process (``council.workers``) raises these; they travel pickled, and
        # the default (``cls(*args)``) would call the subclass's constructor with the code alone.
        return (_rebuild, (type(self), self.code, self.message, self.status, self.details))

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message.render(lang)}
        if self.details:
            body["details"] = self.details
        return body


def _rebuild(
    cls: type[DomainError],
    code: str,
    message: LazyString,
    status: int,
    details: dict[str, Any],
) -> DomainError:
    exc = cls.__new__(cls)
    DomainError.__init__(exc, code, message, status, **details)
    return exc


class NotFound(DomainError):
    status = 404

    def __init__(self, message: LazyString | str | None = None, **details: Any) -> None:
        super().__init__("not_found", message or N_("Not found."), **details)


class Forbidden(DomainError):
    status = 403

    def __init__(self, message: LazyString | str | None = None, **details: Any) -> None:
        super().__init__("forbidden", message or N_("You are not allowed to do this."), **details)


class Unauthorized(DomainError):
    status = 401

    def __init__(self, message: LazyString | str | None = None) -> None:
        super().__init__("unauthorized", message or N_("Please log in."))


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422

    def __init__(self, message: LazyString | str | None = None, **details: Any) -> None:
        super().__init__("invalid", message or N_("The data sent is not valid."), **details)


class TooLarge(DomainError):
    status = 413

    def __init__(self, message: LazyString | str | None = None, **details: Any) -> None:
        super().__init__("too_large", message or N_("The upload is too large."), **details)


class RateLimited(DomainError):
    status = 429

    def __init__(self, retry_after: int, message: LazyString | None = None) -> None:
        super().__init__(
            "rate_limited",
            message or N_("Too many requests. {wait}").format(wait=wait_text(retry_after)),
            retry_after=retry_after,
        )
        self.retry_after = retry_after


def wait_text(seconds: int) -> LazyString:
    """How long to wait, as a person says it: seconds under a minute, else whole minutes
    rounded up ("thử lại sau 49 phút", never "sau 2902 giây")."""
    if seconds < 60:
        return N_("Please try again in {seconds} seconds.").format(seconds=max(seconds, 1))
    minutes = -(-seconds // 60)
    if minutes == 1:
        return N_("Please try again in a minute.")
    return N_("Please try again in {minutes} minutes.").format(minutes=minutes)
