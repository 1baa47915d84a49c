"""Checks on an enterprise's logo, photos and documents, by content, never by name.

An image is decoded by Pillow under a pixel cap (a small PNG may declare a billion pixels)
and re-encoded: what is stored is our own encoding of its pixels, so no metadata (EXIF, GPS)
and no appended payload (a polyglot) survives. A document must be a PDF that pypdf reads,
neither encrypted nor holding JavaScript or automatic actions, nor carrying another file (a
ZIP, a web page) besides the PDF, nor inflating past a cap once its streams are decompressed.
A refused file is never stored.
"""

import io
import re
import uuid
import warnings
import zipfile
import zlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PdfReadError
from pypdf.filters import decode_stream_data
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Decoding allocates width × height × 4 bytes: 40 megapixels is about 160 MB at most.
MAX_IMAGE_PIXELS = 40_000_000
# Stored images are scaled down to fit this box: enough for a profile page.
STORED_IMAGE_BOX = (2000, 2000)
MAX_PDF_PAGES = 200
# The sum of a PDF's streams once decompressed: a 10 MB brochure full of images stays well
# under it, a zip bomb in a stream (200 MB of zeros in 200 KB) does not.
MAX_PDF_DECODED_BYTES = 100 * 1024 * 1024
# Output of a filter that feeds another (ASCII85 then Flate): never larger than the file itself
# in a real PDF, so a small cap keeps a nested bomb from filling memory before it is counted.
MAX_PDF_INTERMEDIATE_BYTES = MAX_DOCUMENT_BYTES
# Each object is read to look for scripts and count streams: about 45 µs each, so this many
# is about two seconds; a real 200-page document holds a few thousand.
MAX_PDF_OBJECTS = 50_000
# Inflated a slice at a time and counted, never held whole.
INFLATE_SLICE = 1024 * 1024

IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
# What a PDF may not hold: scripts, and actions run on opening or on an event.
PDF_FORBIDDEN = re.compile(rb"/(JS|JavaScript|AA|OpenAction|Launch|EmbeddedFile|RichMedia)\b")
STREAM_BODY = re.compile(rb"\bstream\r?\n.*?\bendstream\b", re.S)
FORBIDDEN_KEYS = {"/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch", "/EmbeddedFile",
                  "/EmbeddedFiles", "/RichMedia"}
# What makes a browser or an HTML reader run the file as a page. Long enough never to turn up
# by chance in a PDF's compressed bytes.
HTML_MARKERS = re.compile(rb"<(script|html|body|iframe|object|embed|!doctype)[\s>/]", re.I)
# Bytes a PDF writer may leave after its last end-of-file marker.
PDF_PADDING = b" \t\r\n\x00\x0c"
# Filters that only compress bytes; after an image codec (JPEG, JPEG 2000, JBIG2, fax) the
# stream's bytes are an image, left as they are.
BYTE_FILTERS = {"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/RunLengthDecode", "/RL",
                "/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85", "/BrotliDecode"}
FLATE = {"/FlateDecode", "/Fl"}


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
    if b"%%EOF" not in data:
        raise ValidationError(unreadable_pdf())
    if carries_another_file(data):
        raise ValidationError(_("This PDF carries something else besides the document (another "
                                "file, a web page or a script): export it again as a plain "
                                "PDF."))
    # Checked on the raw bytes, and again on each object pypdf reads: a name may be written
    # with escapes (#4A#53) or sit in a compressed object stream, which pypdf decodes. Streams'
    # bytes are left out: compressed images would spell "/JS" by chance in one PDF in three.
    if PDF_FORBIDDEN.search(STREAM_BODY.sub(b"", data)):
        raise ValidationError(scripted_pdf())
    try:
        # pypdf's own limits, while it reads object streams, are the same cap.
        with apply_configuration(**decoding_limits(MAX_PDF_DECODED_BYTES)):
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise ValidationError(_("This PDF is encrypted or protected by a password: "
                                        "send it without protection."))
            if len(reader.pages) > MAX_PDF_PAGES:
                raise ValidationError(_("This PDF has too many pages: %(pages)s at most.")
                                      % {"pages": MAX_PDF_PAGES})
            if object_count(reader) > MAX_PDF_OBJECTS:
                raise ValidationError(_("This PDF is made of too many parts (%(count)s at "
                                        "most): export it again, or split it.")
                                      % {"count": MAX_PDF_OBJECTS})
            decoded = 0
            for item in pdf_objects(reader):
                if forbidden_keys(item):
                    raise ValidationError(scripted_pdf())
                if isinstance(item, StreamObject):
                    decoded += decoded_length(item, MAX_PDF_DECODED_BYTES - decoded)
    except ValidationError:
        raise
    except (DecodedTooLarge, LimitReachedError):
        raise ValidationError(_("This PDF is too large once decompressed: %(size)s MB at most. "
                                "Reduce its images and export it again.")
                              % {"size": MAX_PDF_DECODED_BYTES // (1024 * 1024)}) from None
    except (PdfReadError, Exception):
        raise ValidationError(unreadable_pdf()) from None
    return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"), "application/pdf"


def carries_another_file(data):
    """Whether the PDF is also something else: bytes after its end (a ZIP or a page appended),
    a ZIP directory a ZIP reader would find, or HTML a browser would run."""
    end = data.rfind(b"%%EOF") + len(b"%%EOF")
    return (bool(data[end:].strip(PDF_PADDING))
            or zipfile.is_zipfile(io.BytesIO(data)) or bool(HTML_MARKERS.search(data)))


class DecodedTooLarge(Exception):
    """A PDF's streams inflate past ``MAX_PDF_DECODED_BYTES``: told apart from a damaged
    file, so the person reads why and what to do."""


def decoding_limits(budget):
    """pypdf's configuration with every decoder's output capped at ``budget`` bytes."""
    return {name: max(budget, 1) for name in (
        "zlib_maximum_output_length", "lzw_maximum_output_length",
        "run_length_maximum_output_length", "brotli_maximum_output_length",
        "array_based_stream_maximum_output_length", "stream_decoding_work_maximum_length",
    )}


def object_count(reader):
    return sum(len(numbers) for numbers in reader.xref.values()) + len(reader.xref_objStm)


def pdf_objects(reader):
    """Every object the file's cross-reference tables list, object streams' included."""
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in reader.xref_objStm:
        yield reader.get_object(IndirectObject(number, 0, reader))


def forbidden_keys(item, depth=0):
    """Whether a dictionary, or one written inside it, names a script or an automatic action."""
    if isinstance(item, DictionaryObject):
        if FORBIDDEN_KEYS & set(item.keys()) or item.get("/S") in ("/JavaScript", "/Launch"):
            return True
        children = item.values()
    elif isinstance(item, ArrayObject):
        children = item
    else:
        return False
    # Indirect references are objects of their own, checked in turn; depth bounds a forged
    # nesting.
    return depth < 32 and any(forbidden_keys(child, depth + 1) for child in children
                              if not isinstance(child, IndirectObject))


def decoded_length(stream, budget):
    """A stream's length once its byte filters are undone, DecodedTooLarge past ``budget``.
    Filters before the last are decoded under a small cap; a last Flate filter (nearly every
    stream) is inflated a slice at a time and only counted."""
    filters = stream.get("/Filter", ())
    filters = filters.get_object() if isinstance(filters, IndirectObject) else filters
    filters = list(filters) if isinstance(filters, ArrayObject) else [filters] if filters else []
    parameters = stream.get("/DecodeParms")
    parameters = parameters.get_object() if isinstance(parameters, IndirectObject) else parameters
    if not isinstance(parameters, ArrayObject):
        parameters = [parameters] * len(filters)
    byte_filters = []
    for name in filters:
        if name not in BYTE_FILTERS:
            break
        byte_filters.append(name)
    data = stream._data
    last = byte_filters.pop() if byte_filters else None
    if byte_filters:
        data = decode_with(data, byte_filters, parameters,
                           min(budget, MAX_PDF_INTERMEDIATE_BYTES))
    if last in FLATE:
        length = inflated_length(data, budget)
    elif last is not None:
        length = len(decode_with(data, [last], parameters[len(byte_filters):], budget))
    else:
        length = len(data)
    if length > budget:
        raise DecodedTooLarge
    return length


def decode_with(data, filters, parameters, budget):
    """``data`` through pypdf's decoders for ``filters``, none allowed past ``budget``."""
    partial = StreamObject()
    partial._data = data
    partial[NameObject("/Filter")] = ArrayObject(filters)
    partial[NameObject("/DecodeParms")] = ArrayObject(
        DictionaryObject() if parameter is None else parameter.get_object()
        for parameter in list(parameters)[:len(filters)])
    with apply_configuration(**decoding_limits(budget)):
        return decode_stream_data(partial)


def inflated_length(data, budget):
    """How many bytes ``data`` inflates to, stopping past ``budget``. A damaged stream counts
    what inflates before the damage: a viewer shows no more of it."""
    inflater = zlib.decompressobj()
    length = 0
    try:
        while data and not inflater.eof:
            length += len(inflater.decompress(data, INFLATE_SLICE))
            if length > budget:
                raise DecodedTooLarge
            data = inflater.unconsumed_tail
    except zlib.error:
        pass
    return length


def unreadable_pdf():
    return _("This PDF cannot be read: it is damaged or not really a PDF.")


def scripted_pdf():
    return _("This PDF holds JavaScript or automatic actions, which are not accepted: export "
             "it again as a plain PDF.")
