"""Checks on an enterprise's logo, photos and documents, by content, never by name.

An image is decoded by Pillow under a pixel cap (a small PNG may declare a billion pixels)
and re-encoded: what is stored is our own encoding of its pixels, so no metadata (EXIF, GPS)
and no appended payload (a polyglot) survives. A document must be a PDF that pypdf reads,
neither encrypted nor holding JavaScript or automatic actions. A refused file is never stored.
"""

import io
import re
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Decoding allocates width × height × 4 bytes: 40 megapixels is about 160 MB at most.
MAX_IMAGE_PIXELS = 40_000_000
# Stored images are scaled down to fit this box: enough for a profile page.
STORED_IMAGE_BOX = (2000, 2000)
MAX_PDF_PAGES = 200

IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
# What a PDF may not hold: scripts, and actions run on opening or on an event.
PDF_FORBIDDEN = re.compile(rb"/(JS|JavaScript|AA|OpenAction|Launch|EmbeddedFile|RichMedia)\b")


def read_upload(upload, limit):
    """The file's bytes, refused past ``limit`` without reading further."""
    if upload.size is not None and upload.size > limit:
        raise ValidationError(too_large(limit))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(too_large(limit))
    return data


def too_large(limit):
    return _("This file is too large: %(size)s MB at most.") % {"size": limit // (1024 * 1024)}


def image_signature(data):
    for signature, name in IMAGE_SIGNATURES.items():
        if data.startswith(signature):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def checked_image(upload):
    """``(ContentFile, content type)`` of the re-encoded image, or a ValidationError."""
    data = read_upload(upload, MAX_IMAGE_BYTES)
    if image_signature(data) is None:
        raise ValidationError(_("This file is not a PNG, JPEG, GIF or WebP image (SVG images "
                                "are not accepted)."))
    previous_cap = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        with warnings.catch_warnings():
            # Past half the cap Pillow only warns: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_IMAGE_PIXELS:
                    raise ValidationError(too_many_pixels())
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                has_alpha = image.mode in ("RGBA", "LA", "P")
                image = image.convert("RGBA" if has_alpha else "RGB")
                image.thumbnail(STORED_IMAGE_BOX)
                output = io.BytesIO()
                if has_alpha:
                    image.save(output, "PNG", optimize=True)
                    extension, content_type = "png", "image/png"
                else:
                    image.save(output, "JPEG", quality=85, optimize=True)
                    extension, content_type = "jpg", "image/jpeg"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(too_many_pixels()) from None
    except ValidationError:
        raise
    except Exception:
        # Whatever a damaged or forged image makes the decoder raise.
        raise ValidationError(_("This image cannot be read: it is damaged or not really an "
                                "image.")) from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous_cap
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}"), content_type


def too_many_pixels():
    return _("This image is too large: %(pixels)s megapixels at most.") % {
        "pixels": MAX_IMAGE_PIXELS // 1_000_000
    }


def checked_pdf(upload):
    """``(ContentFile, content type)`` of the document, or a ValidationError."""
    data = read_upload(upload, MAX_DOCUMENT_BYTES)
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("This file is not a PDF document: only PDF documents are "
                                "accepted."))
    # Checked on the raw bytes, and again on each object pypdf reads: a name may be written
    # with escapes (#4A#53), which pypdf decodes.
    if PDF_FORBIDDEN.search(data):
        raise ValidationError(scripted_pdf())
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("This PDF is encrypted or protected by a password: send "
                                    "it without protection."))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ValidationError(_("This PDF has too many pages: %(pages)s at most.")
                                  % {"pages": MAX_PDF_PAGES})
        if holds_script(reader):
            raise ValidationError(scripted_pdf())
    except ValidationError:
        raise
    except (PdfReadError, Exception):
        raise ValidationError(_("This PDF cannot be read: it is damaged or not really a "
                                "PDF.")) from None
    return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"), "application/pdf"


def scripted_pdf():
    return _("This PDF holds JavaScript or automatic actions, which are not accepted: export "
             "it again as a plain PDF.")


def holds_script(reader):
    """Whether the catalog or a page names a script or an automatic action."""
    forbidden = {"/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch"}
    catalog = reader.trailer["/Root"]
    if forbidden & set(catalog.keys()):
        return True
    names = catalog.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        return True
    return any(forbidden & set(page.keys()) for page in reader.pages)
