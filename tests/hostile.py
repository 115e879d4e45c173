"""Hostile documents, built in milliseconds: a DOCX zip bomb and a PDF whose text takes minutes.

``docx_bomb`` is a real, valid DOCX (right CRC, right sizes) whose ``word/document.xml`` inflates
to ``inflated`` bytes: the deflate stream repeats one fully flushed block of paragraphs, and the CRC
of the whole is combined from the block's (zlib's ``crc32_combine``, written out here since
Python's ``zlib`` lacks it). ``heavy_pdf`` holds one page whose content stream repeats a tiny
text operator: some 150 KB of PDF, millions of operators for a text extractor to walk through.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from meetings.documents.generate import make_docx

_CHUNK = 1 << 20


def _gf2_times(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from crc(A), crc(B) and len(B) (zlib's algorithm)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _flushed(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)


def _final(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FINISH)


def _bomb_member(inflated: int) -> tuple[bytes, int, int]:
    """(raw deflate, CRC-32, size) of a document.xml of about ``inflated`` bytes."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body>"
    )
    tail = b"</w:body></w:document>"
    paragraph = b"<w:p><w:r><w:t>" + b"a" * 1000 + b"</w:t></w:r></w:p>"
    chunk = paragraph * (_CHUNK // len(paragraph))
    count = max(1, inflated // len(chunk))
    block = _flushed(chunk)
    crc_chunk = zlib.crc32(chunk)
    crc = zlib.crc32(head)
    # crc(chunk * count) by doubling
    rep_crc, rep_len, todo, power_crc, power_len = 0, 0, count, crc_chunk, len(chunk)
    while todo:
        if todo & 1:
            rep_crc = crc32_combine(rep_crc, power_crc, power_len) if rep_len else power_crc
            rep_len += power_len
        power_crc = crc32_combine(power_crc, power_crc, power_len)
        power_len *= 2
        todo >>= 1
    crc = crc32_combine(crc, rep_crc, rep_len)
    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
    data = _flushed(head) + block * count + _final(tail)
    return data, crc, len(head) + rep_len + len(tail)


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP archive of deflated members given as (name, raw deflate, crc, size)."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out.write(struct.pack("<4s5HIIIHH", b"PK\x03\x04", *fields) + encoded + data)
        central.append(
            struct.pack(
                "<4s6HIIIHHHHHII",
                b"PK\x01\x02",
                20,
                *fields[:-1],
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        struct.pack(
            "<4s4HIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0
        )
    )
    return out.getvalue()


def docx_bomb(inflated: int = 1536 << 20) -> bytes:
    """A valid DOCX whose main part inflates to ``inflated`` bytes (default 1.5 GB)."""
    members = []
    with zipfile.ZipFile(io.BytesIO(make_docx("Tờ trình", ["Nội dung"]))) as source:
        for info in source.infolist():
            if info.filename == "word/document.xml":
                members.append(("word/document.xml", *_bomb_member(inflated)))
            else:
                raw = source.read(info)
                members.append((info.filename, _final(raw), zlib.crc32(raw), len(raw)))
    return _zip(members)


def heavy_pdf(operators: int = 4_000_000) -> bytes:
    """A one-page PDF whose content stream shows "a" ``operators`` times (~22 bytes each
    inflated, a few KB deflated): pypdf walks it for seconds per million."""
    unit = b"BT /F1 1 Tf (a) Tj ET\n"
    stream = zlib.compress(unit * operators, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
