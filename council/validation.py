"""Input validation with pydantic, answered with translated, field-by-field messages."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, overload

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from council.errors import Invalid
from council.i18n import N_, LazyString

M = TypeVar("M", bound=BaseModel)

# The whole numbers every database of ours can store (PostgreSQL ``integer``): a larger one names
# no row and fits no column, and passing it on would make the driver fail, a 500, not a 422.
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1
_WHOLE = re.compile(r"[+-]?[0-9]{1,20}")

_MESSAGES: dict[str, LazyString] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This is too short."),
    "string_too_long": N_("This is too long."),
    "string_type": N_("Text is expected here."),
    "int_parsing": N_("A whole number is expected here."),
    "int_type": N_("A whole number is expected here."),
    "int_from_float": N_("A whole number is expected here."),
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


def _int_out_of_range(value: Any) -> PydanticCustomError | None:
    """The error for the first whole number in ``value`` (nested lists and dicts, keys too) that
    no database column can store, or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and item > MAX_INT:
            return PydanticCustomError("less_than_equal", "at most {le}", {"le": MAX_INT})
        if isinstance(item, int) and item < MIN_INT:
            return PydanticCustomError("greater_than_equal", "at least {ge}", {"ge": MIN_INT})
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return None


def _document_int_bounds(schema: dict[str, Any]) -> None:
    """Show the bounds in the OpenAPI document (so a schema-driven fuzz tries beyond them)."""
    stack: list[Any] = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "integer":
                item.setdefault("minimum", MIN_INT)
                item.setdefault("maximum", MAX_INT)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class Schema(BaseModel):
    """Base for request bodies: unknown fields are refused, and every whole number, in any field
    of any subclass, must fit the database (422 naming the field, never a driver error)."""

    model_config = ConfigDict(
        extra="forbid", str_max_length=100_000, json_schema_extra=_document_int_bounds
    )

    @field_validator("*", mode="after")
    @classmethod
    def _ints_fit_the_database(cls, value: Any) -> Any:
        error = _int_out_of_range(value)
        if error is not None:
            raise error
        return value


class Out(BaseModel):
    """Base for response bodies."""

    model_config = ConfigDict(from_attributes=True)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent(description: str) -> Any:
    """A response field that is sometimes left out of the answer (never sent as ``null``): no
    default in the OpenAPI document."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


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


@overload
def int_param(
    values: Mapping[str, Any], name: str, default: int, *, minimum: int = ..., maximum: int = ...
) -> int: ...


@overload
def int_param(
    values: Mapping[str, Any],
    name: str,
    default: None = None,
    *,
    minimum: int = ...,
    maximum: int = ...,
) -> int | None: ...


def int_param(
    values: Mapping[str, Any],
    name: str,
    default: int | None = None,
    *,
    minimum: int = MIN_INT,
    maximum: int = MAX_INT,
) -> int | None:
    """The whole number in query or form parameter ``name`` (``default`` when absent or empty),
    or Invalid naming the parameter: not a whole number, or outside ``minimum..maximum`` (which
    stay within what the database can store)."""
    raw = values.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    text = raw.strip() if isinstance(raw, str) else ""
    if not _WHOLE.fullmatch(text):
        raise Invalid(fields={name: str(_MESSAGES["int_parsing"])})
    value = int(text)
    if value < max(minimum, MIN_INT):
        raise Invalid(fields={name: str(_MESSAGES["greater_than_equal"])})
    if value > min(maximum, MAX_INT):
        raise Invalid(fields={name: str(_MESSAGES["less_than_equal"])})
    return value
