"""Reading a delegate roll as people save it: the encodings Excel writes on Vietnamese Windows
(UTF-8 with or without BOM, UTF-16 "Unicode text", Windows-1258) and Vietnamese or English column
names ("Họ và tên", "Tên đăng nhập", "Thư điện tử", "Điện thoại")."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from council.errors import Invalid
from council.i18n import N_
from council.search.text import fold

FIELDS = ("username", "full_name", "password", "email", "phone")
# Column names, folded (lowercase, no accents, single spaces): what people type in row 1.
ALIASES: dict[str, str] = {
    "username": "username",
    "user name": "username",
    "ten dang nhap": "username",
    "tai khoan": "username",
    "full_name": "full_name",
    "full name": "full_name",
    "name": "full_name",
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "password": "password",
    "mat khau": "password",
    "email": "email",
    "e-mail": "email",
    "thu dien tu": "email",
    "dia chi thu dien tu": "email",
    "phone": "phone",
    "dien thoai": "phone",
    "so dien thoai": "phone",
    "sdt": "phone",
}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16-le": "UTF-16 (Unicode)",
    "utf-16-be": "UTF-16 (Unicode)",
    "cp1258": "Windows-1258",
}
UNKNOWN_ENCODING = N_(
    "The file's encoding could not be recognised. In Excel choose File → Save As → "
    '"CSV UTF-8 (Comma delimited)"; in LibreOffice choose the character set "Unicode (UTF-8)". '
    "A list typed with an old Vietnamese font (TCVN3, VNI) must first be converted to Unicode, "
    "for instance with UniKey's converter."
)


@dataclass
class RollFile:
    """The rows of a roll, keyed by field name, each with its line number in the file."""

    encoding: str  # as people call it: "UTF-8", "UTF-16 (Unicode)", "Windows-1258"
    columns: list[tuple[str, str]]  # (the file's own header, the field it fills; "" if none)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 codec when every other byte is NUL, as in Excel's "Unicode text"."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    odd_nuls = sample[1::2].count(0) / (len(sample) // 2)
    even_nuls = sample[0::2].count(0) / ((len(sample) + 1) // 2)
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _looks_vietnamese_or_plain(text: str) -> bool:
    """Windows-1258 decodes almost any bytes; a file in another 8-bit encoding (TCVN3, VNI)
    shows up as symbols from the Latin-1 block (¸ ¹ µ ¶ …) where letters should be."""
    symbols = sum(1 for ch in text if "\u00a1" <= ch <= "\u00bf" or ch in "×÷")
    letters = sum(1 for ch in text if ch.isalpha())
    return symbols <= max(2, letters // 50)


def decode(data: bytes) -> tuple[str, str]:
    """(text NFC, codec) of a roll file; an Invalid with the way to save it otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        codec = "utf-8-sig"
    elif data.startswith(b"\xff\xfe"):
        codec = "utf-16-le"
        data = data[2:]
    elif data.startswith(b"\xfe\xff"):
        codec = "utf-16-be"
        data = data[2:]
    else:
        codec = _utf16_without_bom(data) or "utf-8"
    candidates = [codec] if codec != "utf-8" else ["utf-8", "cp1258"]
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        # Windows-1258 writes tone marks as combining characters after the letter.
        text = unicodedata.normalize("NFC", text)
        if "\x00" in text:
            continue
        if name == "cp1258" and not _looks_vietnamese_or_plain(text):
            continue
        return text, name
    raise Invalid(UNKNOWN_ENCODING, fields={"file": str(UNKNOWN_ENCODING)})


def header_field(name: str) -> str:
    """The field a column name fills ("Họ và tên" → full_name), or ""."""
    key = " ".join(fold(name.strip().strip('"')).replace("_", " ").split())
    return ALIASES.get(key, "") or ALIASES.get(key.replace(" ", "_"), "")


def read(data: bytes) -> RollFile:
    """Decode ``data``, find its delimiter (Excel in Vietnamese writes ";", "Unicode text"
    tabs) and map its columns; raises Invalid for an unreadable file or missing columns."""
    text, codec = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if any(d in first for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, [])
        columns = [(h.strip(), header_field(h)) for h in header]
        mapped = {f for _h, f in columns if f}
        if not {"username", "full_name"} <= mapped:
            message = N_(
                'The first line must name the columns "Tên đăng nhập" (username) and '
                '"Họ và tên" (full_name); it has: {found}.'
            ).format(found=", ".join(h for h, _f in columns) or "—")
            raise Invalid(message, fields={"file": str(message)})
        roll = RollFile(ENCODING_NAMES.get(codec, codec), columns)
        for values in reader:
            row: dict[str, str] = {}
            for (_h, name), value in zip(columns, values, strict=False):
                if name and name not in row:
                    row[name] = value.strip()
            if any(row.values()):
                roll.rows.append((reader.line_num, row))
    except csv.Error:
        message = N_("The file is not a valid CSV file.")
        raise Invalid(message, fields={"file": str(message)}) from None
    return roll
