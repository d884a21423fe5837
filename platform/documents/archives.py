"""Reading a ZIP that someone uploaded, which may be built to harm: every name is checked before
anything is read (no absolute paths, no `..`, no links, no encrypted members, no archives inside,
at most DOCUMENT_ARCHIVE_MAX_MEMBERS of them), and every member is read only when asked for, with
its size measured while it is decompressed: it stops one chunk past DOCUMENT_MAX_BYTES, and all
members read together stop past DOCUMENT_ARCHIVE_MAX_TOTAL_BYTES, whatever the headers claim.
Nothing is ever written to disk under a member's name."""

import stat
import zipfile
from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _

READ_CHUNK_BYTES = 64 * 1024
# Archives inside the archive, by name and by their first bytes: each would need the same checks
# again, and a bomb nests well.
ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".cab", ".jar")
ARCHIVE_MAGIC = (
    b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08",  # ZIP (and the Office formats built on it)
    b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd",
    b"MSCF",
)
TAR_MAGIC_OFFSET, TAR_MAGIC = 257, b"ustar"
FIELD = "archive"


def _refusal(message: str) -> ValidationError:
    return ValidationError({FIELD: message})


class SafeArchive:
    """An uploaded ZIP whose names passed the checks; `read(name)` gives one member's bytes.
    Use it as a context manager: it holds the archive open. The limits default to the settings
    of a ZIP of documents; a caller reading another kind of ZIP (an XLSX) gives its own."""

    def __init__(
        self,
        upload: bytes | File,
        *,
        max_bytes: int | None = None,
        member_limit: int | None = None,
        total_limit: int | None = None,
        max_members: int | None = None,
    ):
        self._member_limit = member_limit or settings.DOCUMENT_MAX_BYTES
        self._total_limit = total_limit or settings.DOCUMENT_ARCHIVE_MAX_TOTAL_BYTES
        self._zip = self._opened(upload, max_bytes or settings.DOCUMENT_ARCHIVE_MAX_BYTES)
        members = [info for info in self._zip.infolist() if not info.is_dir()]
        limit = max_members or settings.DOCUMENT_ARCHIVE_MAX_MEMBERS
        if len(members) > limit:
            self._zip.close()
            raise _refusal(_("The ZIP holds %(count)s files; at most %(limit)s are accepted.")
                           % {"count": len(members), "limit": limit})
        try:
            self._members = {self._checked_name(info): info for info in members}
        except ValidationError:
            self._zip.close()
            raise
        if len(self._members) != len(members):
            self._zip.close()
            raise _refusal(_("The ZIP holds two files under the same name."))
        self._read_total = 0

    def __enter__(self) -> "SafeArchive":
        return self

    def __exit__(self, *exc) -> None:
        self._zip.close()

    @property
    def names(self) -> list[str]:
        """The members' paths inside the archive, in its order."""
        return list(self._members)

    def read(self, name: str) -> bytes:
        """The bytes of member `name`, refused when it is larger than DOCUMENT_MAX_BYTES, when the
        members read so far pass DOCUMENT_ARCHIVE_MAX_TOTAL_BYTES, when it is damaged or when it is
        an archive itself."""
        info = self._members[name]
        limit, total_limit = self._member_limit, self._total_limit
        chunks, size = [], 0
        try:
            with self._zip.open(info) as member:
                while chunk := member.read(READ_CHUNK_BYTES):
                    size += len(chunk)
                    self._read_total += len(chunk)
                    if size > limit:
                        raise _refusal(_("%(name)s in the ZIP is larger than %(limit)s bytes, the limit for one "
                                         "file.") % {"name": name, "limit": limit})
                    if self._read_total > total_limit:
                        raise _refusal(_("The files in the ZIP add up to more than %(limit)s bytes once unpacked.")
                                       % {"limit": total_limit})
                    chunks.append(chunk)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError, OSError) as error:
            raise _refusal(_("%(name)s in the ZIP cannot be unpacked: %(error)s.") % {"name": name, "error": error}) from None
        content = b"".join(chunks)
        if content.startswith(ARCHIVE_MAGIC) or content[TAR_MAGIC_OFFSET:TAR_MAGIC_OFFSET + 5] == TAR_MAGIC:
            raise _refusal(_("%(name)s in the ZIP is itself an archive: archives inside the ZIP are refused.")
                           % {"name": name})
        return content

    @staticmethod
    def _opened(upload: bytes | File, limit: int) -> zipfile.ZipFile:
        size = len(upload) if isinstance(upload, bytes) else upload.size
        if size is not None and size > limit:
            raise _refusal(_("The ZIP is %(size)s bytes; the limit is %(limit)s bytes.") % {"size": size, "limit": limit})
        if isinstance(upload, bytes):
            upload = BytesIO(upload)
        else:
            upload.seek(0)
        try:
            return zipfile.ZipFile(upload)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise _refusal(_("The file is not a ZIP archive, or it is damaged.")) from None

    @staticmethod
    def _checked_name(info: zipfile.ZipInfo) -> str:
        raw = info.filename
        name = raw.replace("\\", "/")
        path = PurePosixPath(name)
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in path.parts:
            raise _refusal(_("%(name)s in the ZIP points outside the archive: absolute paths and .. are refused.")
                           % {"name": raw})
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _refusal(_("%(name)s in the ZIP is a symbolic link: links are refused.") % {"name": raw})
        if info.flag_bits & 0x1:
            raise _refusal(_("%(name)s in the ZIP is encrypted: send the documents unencrypted.") % {"name": raw})
        if path.name.lower().endswith(ARCHIVE_SUFFIXES):
            raise _refusal(_("%(name)s in the ZIP is itself an archive: archives inside the ZIP are refused.")
                           % {"name": raw})
        return str(path)
