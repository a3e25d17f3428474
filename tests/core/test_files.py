"""check_upload accepts only the kinds of file staff attach, by name and by content."""

import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.files import UploadRefused, check_upload
from tests.factories import docx_bytes, pdf_bytes, png_bytes, zip_bytes


def windows_program() -> bytes:
    """A minimal PE header: the DOS stub pointing at the "PE" signature, then an i386 COFF."""
    dos = b"MZ" + b"\x00" * 58 + struct.pack("<I", 64)
    return dos + b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 224, 0x102)


def linux_program() -> bytes:
    """A minimal 64-bit ELF header."""
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + struct.pack("<HHI", 2, 0x3E, 1) + b"\x00" * 40


def refused(name: str, content: bytes) -> str:
    with pytest.raises(UploadRefused) as error:
        check_upload(SimpleUploadedFile(name, content))
    return str(error.value)


def test_a_windows_program_named_as_a_pdf_is_refused():
    assert "prog.pdf" in refused("prog.pdf", windows_program())


def test_a_linux_program_named_as_text_is_refused():
    assert "notes.txt" in refused("notes.txt", linux_program())


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body>Rapport</body></html>",
        b"\n  <html><script>alert(1)</script></html>",
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>',
        b"<script>alert(1)</script>",
        b"\xef\xbb\xbf<svg onload=alert(1)>",
        b"#!/bin/sh\nrm -rf ~\n",
    ],
)
def test_a_web_page_or_a_script_named_as_text_is_refused(content):
    assert "report.txt" in refused("report.txt", content)


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
)
def test_an_svg_named_as_a_png_is_refused(content):
    assert "logo.png" in refused("logo.png", content)


def test_a_pdf_named_as_a_png_is_refused():
    assert "photo.png" in refused("photo.png", pdf_bytes())


@pytest.mark.parametrize("name", ["donnees.xyz", "LISEZMOI", "page.html", "logo.svg", "run.exe"])
def test_a_name_outside_the_list_is_refused_even_with_plain_content(name):
    assert name in refused(name, b"Bonjour")


def test_text_holding_nul_bytes_is_refused():
    refused("journal.log", b"Erreur\x00\x00\x00\x01")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", png_bytes()),
        ("PHOTO.PNG", png_bytes()),
        ("facture.pdf", pdf_bytes()),
        ("compte rendu.docx", docx_bytes()),
        ("journaux.zip", zip_bytes()),
        ("ancien.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024),
        ("message.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024),
    ],
)
def test_real_files_of_accepted_kinds_are_accepted(name, content):
    check_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    "content",
    [
        "Erreur à l’ouverture de la session : réseau indisponible\n".encode(),
        "Erreur à l’ouverture de la session : réseau indisponible\r\n".encode("cp1252"),
        "Erreur : accès refusé\r\n".encode("utf-16"),
        b"<134>1 2025-01-06T09:02:00Z poste-204 sshd - - connexion refusee\n",
        b"\x1b[31mERREUR\x1b[0m disque plein\n",
        b"",
    ],
)
def test_a_text_log_is_accepted_in_the_usual_encodings(content):
    check_upload(SimpleUploadedFile("session.log", content))


def test_text_cut_in_the_middle_of_a_character_is_still_text():
    content = "é".encode() * 5000  # the head ends inside a two-byte character
    check_upload(SimpleUploadedFile("accents.txt", content))


def test_a_mail_is_accepted_as_text():
    content = b"From: claire@univ.example\r\nSubject: =?utf-8?q?Acc=C3=A8s?=\r\n\r\nBonjour\r\n"
    check_upload(SimpleUploadedFile("message.eml", content))


def test_the_check_leaves_the_file_where_it_was():
    upload = SimpleUploadedFile("photo.png", png_bytes())
    upload.seek(10)
    check_upload(upload)
    assert upload.tell() == 10
