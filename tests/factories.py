import io
import struct
import zipfile
import zlib

import factory
from django.contrib.auth import get_user_model

from tickets import services
from tickets.models import Category, Location, Team, TeamMembership, Theme


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@univ.example")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("secret-pass-123")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Équipe {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Catégorie {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Lieu {n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


def make_technician(team, *, supervisor=False, **kwargs):
    user = UserFactory(**kwargs)
    TeamMembership.objects.create(team=team, user=user, is_manager=supervisor)
    return user


def make_ticket(*, requester=None, team=None, **kwargs):
    """File a ticket through the service, as the portal does."""
    kwargs.setdefault("title", "L'imprimante ne répond plus")
    return services.ticket_create(
        requester=requester or UserFactory(), team=team or TeamFactory(), **kwargs
    )


# Real, tiny files of the kinds Help accepts: it checks their content, not only their name.


def png_bytes() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff"))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A one-page, empty PDF."""
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
        b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def zip_bytes(entries: dict[str, str] | None = None) -> bytes:
    """A zip archive of these entries (name → text), in this order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (entries or {"journal.txt": "Erreur à 9 h 02"}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    """A minimal Word document: an Open XML zip container, its parts in Word's order."""
    return zip_bytes(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Override PartName="/word/document.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.'
                'wordprocessingml.document.main+xml"/></Types>'
            ),
            "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
            "word/document.xml": '<?xml version="1.0"?><w:document/>',
        }
    )


def mp4_bytes(size: int = 1024) -> bytes:
    """The start of an MP4 video (its ftyp box), padded to size."""
    ftyp = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 512) + b"isomiso2"
    return (ftyp + b"\x00" * size)[:size]
