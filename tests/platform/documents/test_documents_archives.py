"""documents.archives.SafeArchive against ZIPs built to harm: bombs, too many members, paths out
of the archive, links, archives inside, lying headers. Each is refused on `archive`, naming the
member, and nothing is read past the limits."""

import io
import stat
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.archives import SafeArchive


def _zip(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _refusal(data, read: str | None = None) -> str:
    with pytest.raises(ValidationError) as refusal:
        with SafeArchive(data) as archive:
            archive.read(read or archive.names[0])
    [message] = refusal.value.message_dict["archive"]
    return message


def test_members_are_read_by_their_path_inside_the_archive():
    data = _zip({"march/INV-1.pdf": b"%PDF-1", "./INV-2.pdf": b"%PDF-2"})

    with SafeArchive(SimpleUploadedFile("docs.zip", data)) as archive:
        assert archive.names == ["march/INV-1.pdf", "INV-2.pdf"]
        assert archive.read("INV-2.pdf") == b"%PDF-2"


def test_a_bomb_is_refused_one_chunk_past_the_member_limit(settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    data = _zip({"bomb.pdf": b"\0" * (200 * 1024 * 1024)})  # 200 MB of zeros in about 200 KB
    assert len(data) < 300 * 1024

    assert "bomb.pdf in the ZIP is larger than 1048576 bytes" in _refusal(data)


def test_members_adding_up_past_the_total_are_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    settings.DOCUMENT_ARCHIVE_MAX_TOTAL_BYTES = 2500
    data = _zip({f"{n}.pdf": bytes([n]) * 900 for n in range(3)})

    with SafeArchive(data) as archive:
        archive.read("0.pdf")
        archive.read("1.pdf")
        with pytest.raises(ValidationError) as refusal:
            archive.read("2.pdf")
    assert "add up to more than 2500 bytes" in refusal.value.messages[0]


def test_a_header_that_understates_the_size_is_caught_while_reading():
    data = bytearray(_zip({"small.pdf": b"%PDF-" + b"x" * 5000}, compression=zipfile.ZIP_STORED))
    # Both the local and the central header say 10 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        data[at:at + 4] = (10).to_bytes(4, "little")

    assert "small.pdf in the ZIP cannot be unpacked" in _refusal(bytes(data))


def test_too_many_members_are_refused_before_any_is_read(settings):
    settings.DOCUMENT_ARCHIVE_MAX_MEMBERS = 5
    data = _zip({f"{n}.pdf": b"%PDF-" for n in range(6)})

    with pytest.raises(ValidationError) as refusal:
        SafeArchive(data)
    assert "holds 6 files; at most 5" in refusal.value.messages[0]


@pytest.mark.parametrize("name", ["../x.pdf", "docs/../../x.pdf", "/etc/passwd", "C:/Windows/x.pdf", "..\\x.pdf"])
def test_a_path_outside_the_archive_is_refused(name):
    with pytest.raises(ValidationError) as refusal:
        SafeArchive(_zip({"ok.pdf": b"%PDF-", name: b"%PDF-"}))
    assert "points outside the archive" in refusal.value.messages[0]
    assert name in refusal.value.messages[0]


def test_a_symbolic_link_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("invoice.pdf")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")

    with pytest.raises(ValidationError) as refusal:
        SafeArchive(buffer.getvalue())
    assert "invoice.pdf in the ZIP is a symbolic link" in refusal.value.messages[0]


@pytest.mark.parametrize("name", ["inner.zip", "more/docs.7z", "x.tar.gz", "INNER.RAR"])
def test_an_archive_inside_is_refused_by_its_name(name):
    with pytest.raises(ValidationError) as refusal:
        SafeArchive(_zip({name: b"anything"}))
    assert "is itself an archive" in refusal.value.messages[0]


@pytest.mark.parametrize("inner", [
    _zip({"a.pdf": b"%PDF-"}),
    b"\x1f\x8b\x08\x00" + b"\0" * 20,
    b"7z\xbc\xaf\x27\x1c" + b"\0" * 20,
    b"Rar!\x1a\x07\x00" + b"\0" * 20,
    b"\0" * 257 + b"ustar\x0000" + b"\0" * 100,
], ids=["zip", "gzip", "7z", "rar", "tar"])
def test_an_archive_inside_renamed_as_a_document_is_refused_by_its_bytes(inner):
    assert "invoice.pdf in the ZIP is itself an archive" in _refusal(_zip({"invoice.pdf": inner}), "invoice.pdf")


def test_an_encrypted_member_is_refused():
    data = bytearray(_zip({"secret.pdf": b"%PDF-"}, compression=zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x1

    with pytest.raises(ValidationError) as refusal:
        SafeArchive(bytes(data))
    assert "secret.pdf in the ZIP is encrypted" in refusal.value.messages[0]


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(ValidationError) as refusal:
        SafeArchive(b"%PDF-1.7 not a zip")
    assert refusal.value.message_dict == {"archive": ["The file is not a ZIP archive, or it is damaged."]}


def test_a_zip_larger_than_its_limit_is_refused_by_its_size(settings):
    settings.DOCUMENT_ARCHIVE_MAX_BYTES = 100

    with pytest.raises(ValidationError) as refusal:
        SafeArchive(SimpleUploadedFile("docs.zip", b"PK" + b"\0" * 200))
    assert "the limit is 100 bytes" in refusal.value.messages[0]


def test_two_members_under_one_name_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.pdf", b"1")
        archive.writestr("./a.pdf", b"2")

    with pytest.raises(ValidationError) as refusal:
        SafeArchive(buffer.getvalue())
    assert "two files under the same name" in refusal.value.messages[0]
