"""Walking the paths given to ``tsunagu import``: folders, zip archives and compressed files.

`iter_input_files` turns a list of files and folders into a deterministic stream of `InputFile`
(something an importer can read) and `SkippedFile` (something deliberately not read, with the
reason). Folders are walked recursively in name order; zip archives are entered (also zips inside
folders and zips inside zips); gzip, bzip2 and xz files are decompressed transparently. Compression
and archives are recognised by their magic bytes, not by their names.

Nothing is read until it is needed: an `InputFile` only knows how to open its bytes again, so the
whole listing can be built first and each file opened later, once for sniffing (`InputFile.head`)
and once for reading (`InputFile.open`). Damaged compressed data surfaces as
`tsunagu.errors.ImportFormatError` naming the file, from either call.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tsunagu.errors import ImportFormatError

__all__ = ["HEAD_SIZE", "InputFile", "SkippedFile", "iter_input_bytes", "iter_input_files"]

HEAD_SIZE = 65536
"""Default number of (decompressed) bytes `InputFile.head` returns for format sniffing."""

# Nested archives are read into memory; larger ones are skipped with a reason.
MAX_NESTED_ZIP_BYTES = 512 * 1024 * 1024

_MAGIC_GZIP = b"\x1f\x8b"
_MAGIC_BZ2 = b"BZh"
_MAGIC_XZ = b"\xfd7zXZ\x00"
_MAGIC_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_COMPRESSED_SUFFIXES = {"gzip": (".gz", ".gzip", ".tgz"), "bz2": (".bz2",), "xz": (".xz",)}
# Zip-based document formats (xlsx, docx, odt, epub…) are files, not archives to walk into.
_OFFICE_MARKERS = ("[Content_Types].xml", "mimetype", "META-INF/manifest.xml")
_SYSTEM_FILES = {".ds_store": "macOS folder metadata (.DS_Store)", "thumbs.db": "Windows thumbnail cache",
                 "desktop.ini": "Windows folder settings"}  # fmt: skip
_DECOMPRESSION_ERRORS = (EOFError, zlib.error, OSError, zipfile.BadZipFile, lzma.LZMAError, ValueError)

Opener = Callable[[], BinaryIO]


@dataclass(frozen=True)
class SkippedFile:
    """A file or folder found while walking that is deliberately not read.

    Attributes:
        path: display path (``/abs/a.zip!__MACOSX/._b.xls`` inside archives).
        reason: why it is not read, in words a user understands.
    """

    path: str
    reason: str


@dataclass(frozen=True)
class InputFile:
    """One readable file: on disk, inside a zip archive, and/or compressed.

    Attributes:
        path: display path, absolute; members of archives are joined with ``!``
            (``/abs/a.zip!inner/b.xls``; nested: ``/abs/a.zip!b.zip!c.csv``).
        name: base name of the decompressed content (``ipg050104.xml`` for ``ipg050104.xml.gz``);
            this is what `tsunagu.sources.base.Source.sniff` receives.
        size: size in bytes as stored (on disk, or the uncompressed size of a zip member), before
            any gzip/bzip2/xz decompression.
        compression: ``"gzip"``, ``"bz2"``, ``"xz"`` or ``""``.
    """

    path: str
    name: str
    size: int
    compression: str = ""
    _opener: Opener = field(default=io.BytesIO, repr=False, compare=False)

    def open(self) -> BinaryIO:
        """Open the (decompressed) content for reading; use it as a context manager.

        Raises:
            ImportFormatError: the file cannot be opened, or (while reading) its compressed data
                or archive member turns out to be damaged or truncated.
        """
        try:
            raw = self._opener()
        except _DECOMPRESSION_ERRORS as exc:
            raise ImportFormatError(f"cannot open: {_describe(exc)}", path=self.path) from exc
        inner: BinaryIO = _decompressor(raw, self.compression) if self.compression else raw
        return io.BufferedReader(_GuardedReader(inner, raw, self.path), buffer_size=1 << 16)

    def head(self, n: int = HEAD_SIZE) -> bytes:
        """Return the first ``n`` decompressed bytes (fewer for short files).

        Raises:
            ImportFormatError: as `open`.
        """
        with self.open() as stream:
            return stream.read(n)


class _GuardedReader(io.RawIOBase):
    """A raw reader that turns decompression and archive errors into `ImportFormatError`."""

    def __init__(self, inner: BinaryIO, raw: BinaryIO, path: str) -> None:
        super().__init__()
        self._inner = inner
        self._raw = raw
        self._path = path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            return self._inner.readinto(buffer)  # type: ignore[attr-defined]
        except _DECOMPRESSION_ERRORS as exc:
            raise ImportFormatError(f"damaged or truncated data: {_describe(exc)}", path=self._path) from exc

    def close(self) -> None:
        if not self.closed:
            try:
                self._inner.close()
            finally:
                if self._raw is not self._inner:
                    self._raw.close()
        super().close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return f"file ends too early (truncated?): {exc}"
    return f"{type(exc).__name__}: {exc}"


def _decompressor(raw: BinaryIO, compression: str) -> BinaryIO:
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "bz2":
        return bz2.BZ2File(raw, mode="rb")  # type: ignore[return-value]
    if compression == "xz":
        return lzma.LZMAFile(raw, mode="rb")  # type: ignore[return-value]
    raise ValueError(f"unknown compression {compression!r}")


def _compression_of(magic: bytes) -> str:
    if magic.startswith(_MAGIC_GZIP):
        return "gzip"
    if magic.startswith(_MAGIC_BZ2) and len(magic) >= 4 and magic[3:4].isdigit():
        return "bz2"
    if magic.startswith(_MAGIC_XZ):
        return "xz"
    return ""


def _is_zip_magic(magic: bytes) -> bool:
    return magic.startswith(_MAGIC_ZIP)


def _strip_suffix(name: str, compression: str) -> str:
    lower = name.lower()
    for suffix in _COMPRESSED_SUFFIXES.get(compression, ()):
        if lower.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem + ".tar" if suffix == ".tgz" else stem
    return name


def _skip_reason(name: str, *, discovered: bool) -> str | None:
    """Why a file name is not read (``None`` when it is), for metadata and hidden files."""
    if name.startswith("._"):
        return "macOS AppleDouble metadata file (._*), not data"
    system = _SYSTEM_FILES.get(name.lower())
    if system:
        return system
    if discovered and name.startswith("."):
        return "hidden file"
    return None


def _read_magic(opener: Opener, n: int = 8) -> bytes:
    with opener() as stream:
        return stream.read(n)


def iter_input_files(paths: Sequence[str | Path]) -> Iterator[InputFile | SkippedFile]:
    """Walk ``paths`` and yield every file to read, and every file deliberately skipped.

    Folders are walked recursively, entries in name order; symbolic links to folders are
    followed once (loops are skipped). Zip archives (recognised by content) are entered, their
    members in name order; ``__MACOSX/`` entries, AppleDouble ``._*`` files, hidden files and
    folders, and system files (``.DS_Store``, ``Thumbs.db``) come out as `SkippedFile`.
    Empty files are skipped. Paths are yielded in the order given.

    Args:
        paths: files and folders.

    Yields:
        `InputFile` for each readable file, `SkippedFile` (with a reason) for the rest.
    """
    visited: set[str] = set()
    cache = _ZipCache()
    for p in paths:
        path = Path(p)
        display = os.path.abspath(path)
        if path.is_dir():
            yield from _walk_dir(path, display, visited, cache)
        elif path.exists():
            yield from _disk_file(path, display, cache, discovered=False)
        else:
            yield SkippedFile(display, "no such file or folder")


def iter_input_bytes(name: str, data: bytes) -> Iterator[InputFile | SkippedFile]:
    """Like `iter_input_files`, for one file held in memory (an upload): decompressed, and entered
    when it is a zip archive.

    Args:
        name: the file's name as the user gave it; also its display path.
        data: its bytes.
    """
    reason = _skip_reason(name, discovered=False)
    if reason:
        yield SkippedFile(name, reason)
        return
    if not data:
        yield SkippedFile(name, "empty file")
        return

    def opener() -> BinaryIO:
        return io.BytesIO(data)

    yield from _classify(name, name, len(data), data[:8], opener, None, 0, _ZipCache())


def _walk_dir(
    folder: Path, display: str, visited: set[str], cache: _ZipCache
) -> Iterator[InputFile | SkippedFile]:
    real = os.path.realpath(folder)
    if real in visited:
        yield SkippedFile(display, "folder already visited (symbolic link loop)")
        return
    visited.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield SkippedFile(display, f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        child = os.path.join(display, entry.name)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if entry.name == "__MACOSX":
                yield SkippedFile(child, "macOS resource-fork folder (__MACOSX), not data")
            elif entry.name.startswith("."):
                yield SkippedFile(child, "hidden folder")
            else:
                yield from _walk_dir(Path(entry.path), child, visited, cache)
        else:
            yield from _disk_file(Path(entry.path), child, cache, discovered=True)


def _disk_file(
    path: Path, display: str, cache: _ZipCache, *, discovered: bool
) -> Iterator[InputFile | SkippedFile]:
    reason = _skip_reason(path.name, discovered=discovered)
    if reason:
        yield SkippedFile(display, reason)
        return
    try:
        size = path.stat().st_size
        if not path.is_file():
            yield SkippedFile(display, "not a regular file")
            return
        magic = _read_magic(lambda: open(path, "rb"))  # noqa: SIM115 - closed by _read_magic
    except OSError as exc:
        yield SkippedFile(display, f"cannot read: {exc.strerror or exc}")
        return
    if size == 0:
        yield SkippedFile(display, "empty file")
        return

    def opener() -> BinaryIO:
        return open(path, "rb")

    yield from _classify(display, path.name, size, magic, opener, path, 0, cache)


def _classify(
    display: str,
    name: str,
    size: int,
    magic: bytes,
    opener: Opener,
    disk_path: Path | None,
    depth: int,
    cache: _ZipCache,
) -> Iterator[InputFile | SkippedFile]:
    """Yield a stored file as an `InputFile`, or enter it when it is a (possibly compressed) zip."""
    compression = _compression_of(magic)
    inner_name = _strip_suffix(name, compression) if compression else name
    candidate = InputFile(display, inner_name, size, compression, opener)
    if compression:
        try:
            inner_magic = candidate.head(8)
        except ImportFormatError:
            yield candidate  # damaged: reported (with its path) when the caller opens it
            return
        if not inner_magic:
            yield SkippedFile(display, f"empty file (after {compression} decompression)")
            return
    else:
        inner_magic = magic
    if _is_zip_magic(inner_magic):
        yield from _zip_or_file(candidate, disk_path if not compression else None, depth, cache)
    else:
        yield candidate


def _zip_or_file(
    candidate: InputFile, disk_path: Path | None, depth: int, cache: _ZipCache
) -> Iterator[InputFile | SkippedFile]:
    archive = _Archive(candidate, disk_path, cache)
    try:
        infos = archive.zip().infolist()
    except _NestedTooLarge:
        yield SkippedFile(candidate.path, f"nested archive larger than {MAX_NESTED_ZIP_BYTES} bytes")
        return
    except (zipfile.BadZipFile, *_DECOMPRESSION_ERRORS) as exc:
        yield SkippedFile(candidate.path, f"damaged zip archive: {_describe(exc)}")
        return
    names = {i.filename for i in infos}
    if any(marker in names for marker in _OFFICE_MARKERS):
        yield candidate  # an xlsx/docx/odt document: a file in its own right
        return
    for info in sorted(infos, key=lambda i: i.filename):
        if info.is_dir():
            continue
        yield from _zip_member(archive, info, depth, cache)


def _zip_member(
    archive: _Archive, info: zipfile.ZipInfo, depth: int, cache: _ZipCache
) -> Iterator[InputFile | SkippedFile]:
    member = info.filename
    display = f"{archive.path}!{member}"
    parts = [part for part in member.split("/") if part]
    base = parts[-1] if parts else member
    if "__MACOSX" in parts[:-1]:
        yield SkippedFile(display, "macOS resource-fork entry (__MACOSX/), not data")
        return
    if any(part.startswith(".") for part in parts[:-1]):
        yield SkippedFile(display, "inside a hidden folder")
        return
    reason = _skip_reason(base, discovered=True)
    if reason:
        yield SkippedFile(display, reason)
        return
    if info.flag_bits & 0x1:
        yield SkippedFile(display, "encrypted zip member (password protected)")
        return
    if info.file_size == 0:
        yield SkippedFile(display, "empty file")
        return

    def opener() -> BinaryIO:
        return archive.zip().open(info)  # type: ignore[return-value]

    try:
        magic = _read_magic(opener)
    except _DECOMPRESSION_ERRORS as exc:
        yield SkippedFile(display, f"damaged zip member: {_describe(exc)}")
        return
    if depth >= 8 and _is_zip_magic(magic):
        yield SkippedFile(display, "archives nested too deeply")
        return
    yield from _classify(display, base, info.file_size, magic, opener, None, depth + 1, cache)


class _NestedTooLarge(Exception):
    pass


class _ZipCache:
    """Keeps the few most recently used archives open, so members are not re-indexed one by one.

    Closing a `zipfile.ZipFile` while one of its members is still being read is safe: the member
    keeps the underlying file open until it is closed itself.
    """

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._open: OrderedDict[int, zipfile.ZipFile] = OrderedDict()

    def get(self, archive: _Archive) -> zipfile.ZipFile:
        key = id(archive)
        zf = self._open.get(key)
        if zf is not None:
            self._open.move_to_end(key)
            return zf
        zf = archive.load()
        self._open[key] = zf
        while len(self._open) > self._size:
            _, old = self._open.popitem(last=False)
            old.close()
        return zf


class _Archive:
    """A zip archive on disk, or stored inside another archive or compressed (then read into memory)."""

    def __init__(self, stored: InputFile, disk_path: Path | None, cache: _ZipCache) -> None:
        self.path = stored.path
        self._stored = stored
        self._disk_path = disk_path
        self._cache = cache

    def zip(self) -> zipfile.ZipFile:
        return self._cache.get(self)

    def load(self) -> zipfile.ZipFile:
        if self._disk_path is not None:
            return zipfile.ZipFile(self._disk_path)
        with self._stored.open() as stream:
            data = stream.read(MAX_NESTED_ZIP_BYTES + 1)
        if len(data) > MAX_NESTED_ZIP_BYTES:
            raise _NestedTooLarge(self.path)
        return zipfile.ZipFile(io.BytesIO(data))
