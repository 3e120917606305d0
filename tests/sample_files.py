"""Real files for the attachment tests, made the way cameras and attackers make them."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image, ImageDraw
from PIL.ExifTags import GPS, IFD, Base

# 55°40'35" N, 12°34'06" E: an address in Copenhagen, written by the "camera".
LATITUDE = (55.0, 40.0, 35.0)
SERIAL = "CAM-SERIAL-4711"


def photo_with_gps(width: int = 400, height: int = 200) -> bytes:
    """A JPEG as a phone writes it: stored sideways with EXIF orientation 6 (turn 90°
    clockwise to view), GPS position, camera make and serial number. The stored image
    is red on its left half and blue on its right."""
    picture = Image.new("RGB", (width, height), "blue")
    ImageDraw.Draw(picture).rectangle((0, 0, width // 2, height), fill="red")
    exif = Image.Exif()
    exif[Base.Orientation] = 6
    exif[Base.Make] = "Phonemaker"
    exif[Base.BodySerialNumber] = SERIAL
    exif[IFD.GPSInfo] = {
        GPS.GPSLatitudeRef: "N",
        GPS.GPSLatitude: LATITUDE,
        GPS.GPSLongitudeRef: "E",
        GPS.GPSLongitude: (12.0, 34.0, 6.0),
    }
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png(width: int = 64, height: int = 48, colour: str = "green") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 100_000) -> bytes:
    """A PNG that claims side by side pixels (10 gigapixels by default) in a few bytes."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows)
            + _chunk(b"IEND", b""))  # fmt: skip


def large_png(side: int = 8000) -> bytes:
    """A real, decodable PNG of 64 megapixels (over the 50 allowed) that is tiny on disk."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/account', {credentials: 'include'})</script>"
    b'<rect width="10" height="10" fill="red"/></svg>'
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def png_html_polyglot() -> bytes:
    """A valid PNG with a web page after its end: browsers that sniff find the page."""
    return png() + HTML_PAGE


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()
