"""Demo portraits: a drawn likeness (a bust on a coloured ground, with the given name's initial)
for each of Ba Đình's seat holders, set through the secretariat's own photo operation so that
/delegates shows what a council's uploaded photos look like. No real person's picture is shipped."""

from __future__ import annotations

import hashlib
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from council.models import Council, User
from elections.models import DelegatePhoto
from elections.photos import SEAT_ROLES, photo_set

GROUNDS = ("#dfe7f2", "#e7efe0", "#f2e6dc", "#ece2f0", "#e0eeee", "#f3ecd6")
CLOTHES = ("#2f3e55", "#3d4a3a", "#4a3b36", "#37344d", "#2d4747", "#4c4634")
SKIN = ("#e9c9a8", "#dcb38f", "#f0d2b6", "#d6a985")


def portrait(name: str) -> bytes:
    """A 240x320 PNG: the same name always draws the same picture."""
    pick = hashlib.sha256(name.encode()).digest()
    image = Image.new("RGB", (240, 320), GROUNDS[pick[0] % len(GROUNDS)])
    draw = ImageDraw.Draw(image)
    clothes, skin = CLOTHES[pick[1] % len(CLOTHES)], SKIN[pick[2] % len(SKIN)]
    draw.rounded_rectangle((30, 215, 210, 360), radius=70, fill=clothes)  # shoulders
    draw.polygon([(105, 215), (135, 215), (120, 250)], fill="#f5f5f5")  # collar
    draw.rectangle((106, 175, 134, 218), fill=skin)  # neck
    draw.ellipse((70, 70, 170, 190), fill=skin)  # face
    draw.chord((66, 58, 174, 150), 180, 360, fill="#2b2521")  # hair
    initial = (name.split() or ["?"])[-1][:1].upper()
    font = ImageFont.load_default(size=34)
    draw.text((206, 22), initial, fill=clothes, font=font, anchor="mm")
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def load(council_code: str = "HN-BADINH") -> int:
    """Set the council's seat holders' portraits; safe to run twice. Returns how many were set."""
    council = await Council.get_or_none(code=council_code)
    if council is None:
        return 0
    actor = await User.filter(council_id=council.id, role="secretariat").order_by("id").first()
    if actor is None:
        return 0
    done = 0
    holders = User.filter(council_id=council.id, role__in=SEAT_ROLES, is_active=True)
    for user in await holders.order_by("id"):
        if await DelegatePhoto.exists(user_id=user.id):
            continue
        await photo_set(actor, user.id, portrait(user.full_name or user.username))
        done += 1
    return done
