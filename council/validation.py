"""Input validation with pydantic, answered with translated, field-by-field messages."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from council.errors import Invalid
from council.i18n import N_, LazyString

M = TypeVar("M", bound=BaseModel)

_MESSAGES: dict[str, LazyString] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This is too short."),
    "string_too_long": N_("This is too long."),
    "string_type": N_("Text is expected here."),
    "int_parsing": N_("A whole number is expected here."),
    "int_type": N_("A whole number is expected here."),
    "greater_than_equal": N_("This number is too small."),
    "greater_than": N_("This number is too small."),
    "less_than_equal": N_("This number is too large."),
    "less_than": N_("This number is too large."),
    "literal_error": N_("This value is not one of the allowed choices."),
    "enum": N_("This value is not one of the allowed choices."),
    "datetime_parsing": N_("A date and time is expected here (e.g. 2026-12-01T08:00)."),
    "datetime_from_date_parsing": N_("A date and time is expected here (e.g. 2026-12-01T08:00)."),
    "date_from_datetime_parsing": N_("A date is expected here (e.g. 2026-12-01)."),
    "extra_forbidden": N_("This field is not expected."),
    "list_type": N_("A list is expected here."),
    "dict_type": N_("An object is expected here."),
    "model_type": N_("An object is expected here."),
    "bool_parsing": N_("Yes or no is expected here."),
    "value_error": N_("This value is not valid."),
    "too_long": N_("This list is too long."),
    "too_short": N_("This list is too short."),
}


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


NFCStr = Annotated[str, AfterValidator(_nfc)]
"""A string stored in Unicode NFC with surrounding spaces removed."""


class Schema(BaseModel):
    """Base for request bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_max_length=100_000)


class Out(BaseModel):
    """Base for response bodies."""

    model_config = ConfigDict(from_attributes=True)


def field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "body"
        message = _MESSAGES.get(err.get("type", ""), N_("This value is not valid."))
        errors.setdefault(loc, str(message))
    return errors


def parse(model: type[M], data: Any) -> M:
    """Validate ``data`` into ``model`` or raise Invalid with one message per field."""
    if not isinstance(data, dict):
        raise Invalid(N_("A JSON object is expected."))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(fields=field_errors(exc)) from None
