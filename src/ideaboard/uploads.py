"""What an uploaded file really is, decided from its bytes and never from the name or
type the browser claims; and images re-encoded so that nothing of the upload but its
pixels is ever served.

- Pictures: Pillow may open only JPEG, PNG, WebP and GIF. More pixels than
  `MAX_PIXELS` is refused before decoding (a decompression bomb is an error, not a
  warning). The orientation is applied, and the pixels are copied into a new image,
  so EXIF (GPS, camera serial), comments and colour-profile text are left behind. A
  web-size copy and a thumbnail are made. A GIF keeps its first frame.
- Documents (PDF, Word/Excel/PowerPoint, OpenDocument, plain text and CSV) are kept as
  sent and served only as downloads.
- Everything else (SVG, HTML, XML, scripts, archives, programs) is refused.

Pure functions, CPU only: callers run `prepare` in a worker thread.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from ideaboard.i18n import gettext

IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# 50 megapixels: a phone's largest photo; a bomb of 100,000 by 100,000 stops here.
MAX_PIXELS = 50_000_000
WEB_SIZE = (1600, 1600)
THUMB_SIZE = (480, 480)
JPEG_QUALITY = 85
NAME_MAX = 120

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a text file may not open with: a browser (or a mail client) would read it as markup.
MARKUP = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<iframe)", re.I)
MARKUP_ANYWHERE = re.compile(rb"<(script|svg|html|iframe)\b", re.I)

# Content type by what the bytes are, and the extensions a name may keep for it.
DOCUMENT_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "ooxml": ("application/vnd.openxmlformats-officedocument", (".docx", ".xlsx", ".pptx")),
    "odf": ("application/vnd.oasis.opendocument", (".odt", ".ods", ".odp")),
    "ole": ("application/vnd.ms-office", (".doc", ".xls", ".ppt", ".msg")),
    "text": ("text/plain; charset=utf-8", (".txt", ".csv", ".md", ".log")),
}


class Refused(ValueError):
    """The file cannot be attached; the message says why, in the reader's words."""


@dataclass(frozen=True)
class Prepared:
    """What will be stored: `variants` by name ("web", "thumb" for a picture; "file")."""

    kind: str  # "image" or "file"
    file_name: str
    content_type: str
    variants: dict[str, bytes] = field(repr=False)
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        return len(self.variants.get("web") or self.variants["file"])

    @property
    def stored(self) -> int:
        """Bytes it takes in the store, every variant (what counts against a quota)."""
        return sum(len(data) for data in self.variants.values())


def clean_name(raw: str) -> str:
    """The name as shown and offered on download: no folders, no control or bidi
    characters, at most NAME_MAX characters, "file" if nothing is left."""
    name = re.split(r"[\\/]", raw)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        keep = extension[:10] if dot else ""
        name = (stem if dot else name)[: NAME_MAX - len(keep) - 1].rstrip() + (
            "." + keep if keep else ""
        )
    return name or "file"


def _with_extension(name: str, allowed: tuple[str, ...]) -> str:
    """The name, ending in one of `allowed` (the first is added when it does not)."""
    if name.lower().endswith(allowed):
        return name
    return name.rsplit(".", 1)[0] + allowed[0] if "." in name else name + allowed[0]


def prepare(raw_name: str, data: bytes) -> Prepared:
    """Look at the bytes and make what may be stored, or raise Refused."""
    name = clean_name(raw_name)
    if not data:
        raise Refused(gettext("%(name)s is empty.") % {"name": name})
    picture = _open_picture(name, data)
    if picture is not None:
        return _reencode(name, picture)
    kind = _document_kind(data)
    if kind is None:
        raise Refused(
            gettext(
                "%(name)s cannot be attached: only pictures (JPEG, PNG, WebP, GIF),"
                " PDF, office documents and plain text can."
            )
            % {"name": name}
        )
    content_type, extensions = DOCUMENT_TYPES[kind]
    return Prepared("file", _with_extension(name, extensions), content_type, {"file": data})


def _open_picture(name: str, data: bytes) -> Image.Image | None:
    """The picture, decoded, if the bytes are one of IMAGE_FORMATS; None if they are not
    a picture at all. Too many pixels or a damaged file is refused."""
    try:
        picture = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
    except UnidentifiedImageError:
        return None
    except Image.DecompressionBombError:
        raise Refused(_too_many_pixels(name)) from None
    width, height = picture.size
    if width * height > MAX_PIXELS:
        raise Refused(_too_many_pixels(name))
    try:
        picture.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise Refused(gettext("%(name)s is damaged or incomplete.") % {"name": name}) from None
    return picture


def _too_many_pixels(name: str) -> str:
    return gettext("%(name)s has too many pixels (at most %(megapixels)s million).") % {
        "name": name,
        "megapixels": MAX_PIXELS // 1_000_000,
    }


def _reencode(name: str, picture: Image.Image) -> Prepared:
    """A photo (JPEG, or WebP without transparency) stays a JPEG; a screenshot or a
    drawing (PNG, GIF, transparent WebP) becomes a PNG, its text kept sharp."""
    upright = ImageOps.exif_transpose(picture) or picture
    transparent = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    photo = picture.format == "JPEG" or (picture.format == "WEBP" and not transparent)
    mode, image_format, extension = (
        ("RGB", "JPEG", ".jpg") if photo else ("RGBA" if transparent else "RGB", "PNG", ".png")
    )
    converted = upright.convert(mode)
    # Only the pixels: a new image has no EXIF, XMP, comments or text chunks to carry.
    clean = Image.frombytes(mode, converted.size, converted.tobytes())
    variants = {"web": _encoded(clean, WEB_SIZE, image_format),
                "thumb": _encoded(clean, THUMB_SIZE, image_format)}  # fmt: skip
    content_type = "image/png" if image_format == "PNG" else "image/jpeg"
    width, height = clean.size
    return Prepared(
        "image",
        _with_extension(name, (extension, ".jpeg") if extension == ".jpg" else (extension,)),
        content_type,
        variants,
        width=width,
        height=height,
    )


def _encoded(picture: Image.Image, size: tuple[int, int], image_format: str) -> bytes:
    copy = picture.copy()
    copy.thumbnail(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if image_format == "JPEG":
        copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        copy.save(out, "PNG", optimize=True)
    return out.getvalue()


def _document_kind(data: bytes) -> str | None:
    """Which of DOCUMENT_TYPES the bytes are, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return "text" if _is_plain_text(data) else None


def _zip_kind(data: bytes) -> str | None:
    """An office document is a zip with its own table of contents; any other zip is not."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" in names and names & {"word/document.xml", "xl/workbook.xml",
                                                   "ppt/presentation.xml"}:  # fmt: skip
        return "ooxml"
    if "mimetype" in names and "content.xml" in names:
        return "odf"
    return None


def _is_plain_text(data: bytes) -> bool:
    """UTF-8 text without NUL, that no browser would take for a page or a picture."""
    if b"\x00" in data or MARKUP.match(data) or MARKUP_ANYWHERE.search(data[:65536]):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class Upload:
    """A file as a form sent it: the name the browser gave and its bytes, read up to one
    byte past the size limit (`too_large` then)."""

    file_name: str
    data: bytes = field(repr=False)
    too_large: bool = False
