"""Per-council rules (working-day calendar, deadlines) and session cycles, over the JSON API."""

from __future__ import annotations

from datetime import date

from tortoise.transactions import in_transaction

from council import audit
from council.calendar import CalendarConfig, WorkingCalendar
from council.errors import Forbidden, Invalid, NotFound
from council.i18n import N_
from council.models import Council, User
from council.web import Ctx, api
from petitions import operations as ops
from petitions.models import Cycle, PetitionSettings
from petitions.schemas import CycleListOut, CycleOut, SettingsOut
from petitions.services import cycle_label, open_next_cycle, petition_count
from petitions.workflow import sla_from_dict

TAGS = ["petitions"]


async def _council(code: str, user: User, *, write: bool) -> Council:
    council = await Council.get_or_none(code=code)
    if council is None:
        raise NotFound(N_("No council has this code."))
    if user.role != "admin" and user.council_id != council.id:
        raise Forbidden(N_("This belongs to another council or agency."))
    if write and user.role not in ("admin", "secretariat"):
        raise Forbidden(N_("Your role may not do this."))
    return council


async def _settings_out(council: Council) -> SettingsOut:
    row = await PetitionSettings.get_or_none(council_id=council.id)
    cfg = CalendarConfig.from_dict(row.calendar if row else None)
    year = date.today().year
    cal = WorkingCalendar(cfg)
    holidays = sorted({**cal.holidays(year), **cal.holidays(year + 1)}.items())
    return SettingsOut(
        council_code=council.code,
        calendar=cfg.to_dict(),
        sla={k.value: v for k, v in sla_from_dict(row.sla if row else None).items()},
        holidays=holidays,
    )


@api(
    "GET",
    "/api/v1/petitions/settings/{council_code}",
    perm=ops.PETITION_SETTINGS_VIEW,
    response=SettingsOut,
    tags=TAGS,
    summary="A council's working-day calendar, deadlines and its holidays this year and next",
)
async def settings_get(ctx: Ctx) -> SettingsOut:
    return await _settings_out(
        await _council(ctx.params["council_code"], ctx.require_user(), write=False)
    )


@api(
    "PUT",
    "/api/v1/petitions/settings/{council_code}",
    perm=ops.PETITION_SETTINGS,
    response=SettingsOut,
    tags=TAGS,
    summary="Set a council's working-day calendar and per-stage deadlines",
)
async def settings_put(ctx: Ctx) -> SettingsOut:
    user = ctx.require_user()
    council = await _council(ctx.params["council_code"], user, write=True)
    try:
        cfg = CalendarConfig.from_dict(ctx.body.calendar)
        sla = sla_from_dict(ctx.body.sla)
    except (ValueError, TypeError, AttributeError) as exc:
        raise Invalid(
            N_("The calendar or deadlines are not valid."), reason=str(exc)[:200]
        ) from None
    async with in_transaction():
        row, _ = await PetitionSettings.get_or_create(council_id=council.id)
        row.calendar = cfg.to_dict()
        row.sla = {k.value: v for k, v in sla.items()}
        await row.save()
        await audit.record(
            "petition.settings",
            actor=user,
            target_type="council",
            target_id=council.id,
            council_id=council.id,
            details={"sla": row.sla},
        )
    return await _settings_out(council)


async def _cycle_out(c: Cycle, code: str) -> CycleOut:
    return CycleOut(
        id=c.id,
        council_code=code,
        session_number=c.session_number,
        phase=c.phase,
        label=cycle_label(c),
        open=c.closed_at is None,
        petitions=await petition_count(c),
    )


@api(
    "GET",
    "/api/v1/petitions/cycles",
    perm=ops.CYCLE_LIST,
    response=CycleListOut,
    tags=TAGS,
    summary="A council's session cycles",
    query={"council_code": "The council (default: the caller's)"},
)
async def cycles_list(ctx: Ctx) -> CycleListOut:
    user = ctx.require_user()
    code = ctx.query.get("council_code")
    if code is None:
        if user.council_id is None:
            raise Invalid(fields={"council_code": str(N_("This field is required."))})
        council = await Council.get(id=user.council_id)
    else:
        council = await _council(code, user, write=False)
    cycles = await Cycle.filter(council_id=council.id).order_by("-id")
    return CycleListOut(items=[await _cycle_out(c, council.code) for c in cycles])


@api(
    "POST",
    "/api/v1/petitions/cycles",
    perm=ops.CYCLE_OPEN,
    response=CycleOut,
    status=201,
    tags=TAGS,
    summary="Close the open cycle and open the next; unresolved petitions carry over",
)
async def cycles_open(ctx: Ctx) -> CycleOut:
    user = ctx.require_user()
    council = await _council(ctx.body.council_code, user, write=True)
    cycle = await open_next_cycle(user, council, ctx.body.session_id)
    return await _cycle_out(cycle, council.code)


routes = [settings_get, settings_put, cycles_list, cycles_open]
