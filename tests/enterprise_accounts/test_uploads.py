"""An enterprise's logo, photos and documents: hostile files are refused with a clear message
and nothing is stored; accepted images are our own re-encoding, without their metadata."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

from enterprise_accounts import uploads
from enterprise_accounts.models import EnterpriseAccount, EnterpriseFile
from tests.factories import EnterpriseMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def membership(client):
    membership = EnterpriseMembershipFactory()
    client.force_login(membership.user)
    return membership


def upload(client, membership, name, content, kind="photo", content_type="image/png"):
    return client.post(
        reverse("enterprise_accounts:files", args=[membership.enterprise_id]),
        {"kind": kind, "title": "", "file": SimpleUploadedFile(name, content, content_type)},
    )


def stored_files(folder="enterprise_accounts"):
    """Every file under ``folder``, however deep: uploads go to one folder per enterprise."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return set()
    found = {f"{folder}/{name}" for name in files}
    for name in folders:
        found |= stored_files(f"{folder}/{name}")
    return found


def jpeg_with_gps():
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {2: (45.0, 30.0, 0.0)}  # GPS latitude
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif)
    return output.getvalue()


def png_declaring(width, height):
    """A PNG whose header declares these dimensions, with one tiny compressed row."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def pdf(javascript=None, encrypt=False, contents=()):
    """A one-page PDF; ``contents``, a list of stream objects, are its page's content."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    if contents:
        page[NameObject("/Contents")] = ArrayObject(writer._add_object(stream)
                                                    for stream in contents)
    if javascript:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(javascript),
        })
    if encrypt:
        writer.encrypt("secret")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def encoded_stream(raw, filters=("/FlateDecode",)):
    """A stream object holding ``raw`` already encoded, with these filters declared."""
    stream = StreamObject()
    stream._data = raw
    if filters:
        stream[NameObject("/Filter")] = ArrayObject(NameObject(name) for name in filters)
    return stream


def a_zip(name, content):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(name, content)
    return output.getvalue()


def a_zip_hiding_behind_eof(pdf_bytes):
    """A ZIP appended to a PDF, with "%%EOF" as its comment so the file still ends like a PDF:
    ZIP readers find its directory at the end all the same."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("evil.html", "<scr" + "ipt>alert(1)</scr" + "ipt>")
        archive.comment = b"\n%%EOF"
    return pdf_bytes + output.getvalue()


def refusal_of(response):
    """The message shown beside the file field, in the page's language (French here)."""
    assert response.status_code == 200, response.status_code
    return " ".join(str(error) for error in response.context["form"].errors.get("file", []))


def test_a_photo_is_re_encoded_without_its_metadata(client, membership):
    before = stored_files()
    response = upload(client, membership, "photo.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert response.status_code == 302
    item = EnterpriseFile.objects.get()
    # What the refusal tests rely on: a stored upload shows up in the storage's listing.
    assert stored_files() - before == {item.file.name}
    assert item.state == EnterpriseFile.State.PENDING
    with item.file.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert (image.width, image.height) == (64, 48)


@pytest.mark.parametrize(
    ("name", "content", "kind", "message"),
    [
        ("logo.svg",
         b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "logo", "SVG"),
        # A GIF header before a script: the type sniffed, never an image.
        ("photo.gif", b"GIF89a<script>alert(document.cookie)</script>", "photo",
         "illisible"),
        ("huge.png", png_declaring(100_000, 100_000), "photo", "mégapixels"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (6 * 1024 * 1024), "photo", "trop volumineux"),
        ("photo.png", b"%PDF-1.4 this is not an image", "photo", "n'est pas une image"),
    ],
    ids=["svg-with-script", "gif-script-polyglot", "decompression-bomb", "six-megabytes",
         "pdf-named-png"],
)
def test_hostile_images_are_refused_and_nothing_is_stored(
    client, membership, name, content, kind, message
):
    before = stored_files()
    response = upload(client, membership, name, content, kind=kind)
    assert message in refusal_of(response)
    assert not EnterpriseFile.objects.exists()
    assert stored_files() == before


def zip_bomb():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (20 * 1024 * 1024))
    return output.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (zip_bomb(), "n'est pas un document PDF"),
        (pdf(javascript="app.alert('hello');"), "JavaScript"),
        # The action's name written with escapes: the raw bytes do not show it, pypdf does.
        (pdf().replace(b"/Type /Catalog", b"/Type /Catalog /Open#41ction 3 0 R"),
         "JavaScript"),
        (pdf(encrypt=True), "chiffré"),
        (b"%PDF-1.7\n<html><script>alert(1)</script></html>", "illisible"),
        (pdf().replace(b"%%EOF", b""), "illisible"),
        # Valid PDFs that are something else as well: each opens in a PDF reader.
        (pdf() + a_zip("evil.html", "<script>alert(1)</script>"), "autre chose"),
        (a_zip_hiding_behind_eof(pdf()), "autre chose"),
        (pdf().replace(b"%PDF-1.3\n", b"%PDF-1.3\n%<html><script>alert(1)</script>\n", 1),
         "autre chose"),
        (pdf() + b"\n<!doctype html><body onload=alert(1)>", "autre chose"),
        # 200 MB of zeros in a 200 KB content stream, and the same bomb behind a second Flate.
        (pdf(contents=[encoded_stream(zlib.compress(b"0" * (200 * 1024 * 1024), 9))]),
         "décompressé"),
        (pdf(contents=[encoded_stream(zlib.compress(zlib.compress(b"0" * (200 * 1024 * 1024), 9)),
                                    ("/FlateDecode", "/FlateDecode"))]), "décompressé"),
        # Several streams, each under the cap, together over it.
        (pdf(contents=[encoded_stream(zlib.compress(b"0" * (30 * 1024 * 1024), 9))
                       for _stream in range(4)]), "décompressé"),
    ],
    ids=["zip-bomb-renamed-pdf", "pdf-with-javascript", "pdf-with-escaped-open-action",
         "encrypted-pdf", "pdf-html-polyglot", "pdf-without-end", "pdf-zip-polyglot",
         "pdf-zip-polyglot-ending-eof", "pdf-html-in-a-comment", "pdf-html-after-eof",
         "pdf-flate-bomb", "pdf-nested-flate-bomb", "pdf-streams-summing-past-the-cap"],
)
def test_hostile_documents_are_refused_and_nothing_is_stored(client, membership, content,
                                                             message):
    before = stored_files()
    response = upload(client, membership, "capabilities.pdf", content, kind="document",
                      content_type="application/pdf")
    assert message in refusal_of(response)
    assert not EnterpriseFile.objects.exists()
    assert stored_files() == before


def test_a_pdf_of_too_many_parts_is_refused_before_they_are_read(client, membership,
                                                                   monkeypatch):
    # The real cap (50,000) would take a 10 MB file to reach: a small one shows the rule.
    monkeypatch.setattr(uploads, "MAX_PDF_OBJECTS", 5)
    content = pdf(contents=[encoded_stream(b"BT ET", filters=()) for _stream in range(6)])
    before = stored_files()
    response = upload(client, membership, "capabilities.pdf", content, kind="document",
                      content_type="application/pdf")
    assert "trop d'éléments (5 au plus)" in refusal_of(response).replace("&#x27;", "'")
    assert not EnterpriseFile.objects.exists()
    assert stored_files() == before


def updated_incrementally(pdf_bytes):
    """The PDF with a second revision appended, as a PDF editor saves it: two "%%EOF"."""
    writer = PdfWriter(io.BytesIO(pdf_bytes), incremental=True)
    writer.add_metadata({"/Title": "Capabilities, revised"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        # Text about JavaScript is no script: a page's text is not an action.
        pdf(contents=[encoded_stream(b"BT /F1 12 Tf 10 10 Td (/JavaScript /JS /AA) Tj ET",
                                     filters=())]),
        updated_incrementally(pdf()),
        # 60 MB once decompressed: under the cap.
        pdf(contents=[encoded_stream(zlib.compress(b"0" * (30 * 1024 * 1024), 9))
                      for _stream in range(2)]),
    ],
    ids=["text-mentioning-javascript", "incremental-update", "large-content-under-the-cap"],
)
def test_ordinary_documents_are_accepted_and_stored_as_sent(client, membership, content):
    response = upload(client, membership, "capabilities.pdf", content, kind="document",
                      content_type="application/pdf")
    assert response.status_code == 302
    with EnterpriseFile.objects.get().file.open("rb") as stored:
        assert stored.read() == content


def test_a_document_is_downloaded_never_shown_and_public_once_approved(client, membership):
    upload(client, membership, "capabilities.pdf", pdf(), kind="document",
           content_type="application/pdf")
    item = EnterpriseFile.objects.get()
    url = reverse("enterprise_accounts:file", args=[item.pk])
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    client.logout()
    # Pending: not public yet.
    assert client.get(url).status_code == 404
    item.state = EnterpriseFile.State.APPROVED
    item.save()
    assert client.get(url).status_code == 200
    page = client.get(item.enterprise.get_absolute_url()).content.decode()
    assert url in page


def test_a_trusted_enterprise_photo_is_live_at_once_and_at_most_six(client, membership):
    EnterpriseAccount.objects.create(enterprise=membership.enterprise, trusted=True)
    for _photo in range(EnterpriseFile.MAX_PHOTOS):
        assert upload(client, membership, "p.jpg", jpeg_with_gps(),
                      content_type="image/jpeg").status_code == 302
    assert set(EnterpriseFile.objects.values_list("state", flat=True)) == {"approved"}
    response = upload(client, membership, "p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert "retirez-en une" in " ".join(response.context["form"].non_field_errors())
    assert EnterpriseFile.objects.count() == EnterpriseFile.MAX_PHOTOS


def test_staff_refuse_a_photo_with_a_reason_emailed_to_its_sender(
    client, membership, staff_user, task_worker
):
    membership.language = "en"
    membership.save()
    membership.user.email = "lea@example.com"
    membership.user.save()
    upload(client, membership, "p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    item = EnterpriseFile.objects.get()
    client.force_login(staff_user)
    decide = reverse("admin:enterprise_accounts_enterprisefile_decide", args=[item.pk])
    assert f'src="{reverse("enterprise_accounts:file", args=[item.pk])}"' in \
        client.get(decide).content.decode()
    client.post(decide, {"refuse": "1", "reason": "Blurry photo."})
    task_worker()
    [message] = mail.outbox
    assert message.to == ["lea@example.com"]
    assert "refused" in message.subject and "Blurry photo." in message.body
    item.refresh_from_db()
    assert item.state == EnterpriseFile.State.REFUSED
    client.logout()
    assert client.get(reverse("enterprise_accounts:file", args=[item.pk])).status_code == 404


def test_staff_approve_a_logo_and_the_profile_shows_it(client, membership, staff_user):
    upload(client, membership, "logo.png", jpeg_with_gps(), kind="logo",
           content_type="image/jpeg")
    item = EnterpriseFile.objects.get()
    client.force_login(staff_user)
    client.post(reverse("admin:enterprise_accounts_enterprisefile_decide", args=[item.pk]),
                {"approve": "1"})
    client.logout()
    page = client.get(membership.enterprise.get_absolute_url()).content.decode()
    assert reverse("enterprise_accounts:file", args=[item.pk]) in page
    assert "Logo de" in page
