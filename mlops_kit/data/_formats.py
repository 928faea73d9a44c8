"""What a data file is: CSV text (plain or compressed) or Parquet, or something refused.

The pipeline reads:

* CSV text in UTF-8 (a byte-order mark and CRLF line ends are fine), separated by
  commas, semicolons, tabs or pipes (:data:`DELIMITERS`);
* the same, compressed: ``.gz``, ``.bz2``, ``.xz``, or a ``.zip`` holding one CSV
  (recognised by their content, whatever the file is called);
* Parquet (``.parquet``).

Anything else (an Excel workbook, JSON, an archive of several files, an image, UTF-16
text) is refused here with one line saying what to do instead, before a row is read.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Literal

from ..errors import DataValidationError

__all__ = [
    "DELIMITERS",
    "Compression",
    "FileFormat",
    "check_readable",
    "damaged",
    "decompress_errors",
    "identify",
    "open_bytes",
]

_CHUNK = 1 << 20
#: The field separators a CSV file may use, with their names in messages.
DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

Compression = Literal["gzip", "bz2", "xz", "zip"]

_COMPRESSED_MAGIC: tuple[tuple[bytes, Compression], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty archive
)
_PARQUET_MAGIC = b"PAR1"

_SAVE_AS_CSV = "save it as CSV UTF-8 and point the config key 'data' at the .csv file"
_EXCEL = (
    "an Excel workbook",
    "in Excel use File > Save As > CSV UTF-8 (Comma delimited), one sheet per file, and "
    "point the config key 'data' at the .csv file",
)
#: File contents the pipeline does not read, by their first bytes: what and what to do.
_REFUSED_MAGIC: tuple[tuple[bytes, tuple[str, str]], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ("an old-style Excel or Office file", _EXCEL[1])),
    (b"%PDF", ("a PDF document", "export the table from its source as CSV UTF-8")),
    (b"\x89PNG", ("a PNG image", "point the config key 'data' at the table itself")),
    (b"\xff\xd8\xff", ("a JPEG image", "point the config key 'data' at the table itself")),
    (b"SQLite format 3\x00", ("an SQLite database", "export the table as CSV UTF-8")),
    (b"ARROW1", ("an Arrow/Feather file", "save it as Parquet or CSV UTF-8")),
    (b"\x28\xb5\x2f\xfd", ("a Zstandard-compressed file", "compress it with gzip instead")),
    (b"7z\xbc\xaf\x27\x1c", ("a 7-Zip archive", "extract the CSV file from it")),
    (b"Rar!", ("a RAR archive", "extract the CSV file from it")),
    (b"\xff\xfe", ("UTF-16 text", _SAVE_AS_CSV)),
    (b"\xfe\xff", ("UTF-16 text", _SAVE_AS_CSV)),
)
#: File names the pipeline does not read, by their ending: what and what to do.
_REFUSED_SUFFIX: dict[str, tuple[str, str]] = {
    ".xlsx": _EXCEL,
    ".xlsm": _EXCEL,
    ".xlsb": _EXCEL,
    ".xls": _EXCEL,
    ".ods": ("a spreadsheet", _SAVE_AS_CSV),
    ".numbers": ("a Numbers spreadsheet", _SAVE_AS_CSV),
    ".json": ("a JSON file", "convert it to CSV, e.g. pandas.read_json(...).to_csv(...)"),
    ".jsonl": ("a JSON Lines file", "convert it to CSV, e.g. pandas.read_json(...).to_csv(...)"),
    ".ndjson": ("a JSON Lines file", "convert it to CSV, e.g. pandas.read_json(...).to_csv(...)"),
    ".xml": ("an XML file", "convert it to CSV UTF-8"),
    ".html": ("a web page", "save the table as CSV UTF-8"),
    ".htm": ("a web page", "save the table as CSV UTF-8"),
    ".sav": ("an SPSS file", "export it from SPSS as CSV UTF-8"),
    ".dta": ("a Stata file", "export it as CSV, e.g. pandas.read_stata(...).to_csv(...)"),
    ".sas7bdat": ("a SAS file", "export it as CSV, e.g. pandas.read_sas(...).to_csv(...)"),
    ".rds": ("an R data file", "write it from R with write.csv(...)"),
    ".rdata": ("an R data file", "write it from R with write.csv(...)"),
    ".feather": ("an Arrow/Feather file", "save it as Parquet or CSV UTF-8"),
    ".arrow": ("an Arrow file", "save it as Parquet or CSV UTF-8"),
    ".pkl": ("a Python pickle", "save the DataFrame with .to_csv(...) or .to_parquet(...)"),
    ".pickle": ("a Python pickle", "save the DataFrame with .to_csv(...) or .to_parquet(...)"),
    ".h5": ("an HDF5 file", "save the table as Parquet or CSV UTF-8"),
    ".hdf5": ("an HDF5 file", "save the table as Parquet or CSV UTF-8"),
    ".db": ("a database file", "export the table as CSV UTF-8"),
    ".sqlite": ("an SQLite database", "export the table as CSV UTF-8"),
    ".tar": ("a tar archive", "extract the CSV file from it"),
    ".tgz": ("a tar archive", "extract the CSV file from it"),
    ".docx": ("a Word document", "put the table in a CSV UTF-8 file"),
    ".pdf": ("a PDF document", "export the table from its source as CSV UTF-8"),
}
#: Files inside a zip archive that are not data (macOS and Windows leave them behind).
_ZIP_JUNK = re.compile(r"(^|/)(__MACOSX/|\._|\.DS_Store$|Thumbs\.db$)")


@dataclass(frozen=True)
class FileFormat:
    """How a data file is stored and how it is read.

    Attributes
    ----------
    kind : {"csv", "parquet"}
    compression : {"gzip", "bz2", "xz", "zip"} or None
        For CSV: how the text is compressed (None: plain text).
    member : str or None
        The CSV file inside a zip archive.
    delimiter : str or None
        For CSV: the field separator (``","``, ``";"``, ``"\\t"`` or ``"|"``).
    delimiter_source : {"detected", "config"} or None
        Whether the separator was detected from the file or given.
    quotechar : str
        The character that quotes fields (``'"'``, or ``"'"`` when every header name
        is in single quotes).
    """

    kind: Literal["csv", "parquet"]
    compression: Compression | None = None
    member: str | None = None
    delimiter: str | None = None
    delimiter_source: Literal["detected", "config"] | None = None
    quotechar: str = '"'

    def describe(self) -> str:
        """The format in words, e.g. ``"CSV, semicolon-separated (detected), gzip"``."""
        if self.kind == "parquet":
            return "Parquet"
        sep = DELIMITERS.get(self.delimiter or ",", repr(self.delimiter))
        text = f"CSV, {sep}-separated ({self.delimiter_source or 'detected'})"
        if self.quotechar != '"':
            text += ", fields in single quotes"
        if self.compression == "zip":
            text += f", in a zip archive ({self.member})"
        elif self.compression:
            text += f", {self.compression}-compressed"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (``format`` is the kind)."""
        d = asdict(self)
        d["format"] = d.pop("kind")
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FileFormat:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            kind=d.get("format", "csv"),
            compression=d.get("compression"),
            member=d.get("member"),
            delimiter=d.get("delimiter"),
            delimiter_source=d.get("delimiter_source"),
            quotechar=d.get("quotechar", '"'),
        )


def _refuse(shown: str, what: str, todo: str) -> DataValidationError:
    """The one-line error for a format the pipeline does not read, with what to do."""
    return DataValidationError(
        f"Data file '{shown}' is {what}, which the pipeline does not read (it reads CSV "
        f"text, compressed .gz/.bz2/.xz/.zip CSV, and Parquet); {todo}.",
        path=shown,
    )


def damaged(shown: str, what: str, exc: BaseException) -> DataValidationError:
    """The error for a file that cannot be decompressed or parsed (truncated, corrupt)."""
    detail = str(exc).strip().rstrip(".") or type(exc).__name__
    return DataValidationError(
        f"Data file '{shown}' is a damaged or unreadable {what} ({detail}); "
        "copy or export it again.",
        path=shown,
    )


def _existing_file(path: str | os.PathLike[str]) -> tuple[Path, bytes]:
    """The file and its first bytes; refuses a missing file, a folder or an unreadable one."""
    p = Path(path).expanduser()
    shown = str(path)
    if not p.exists():
        raise DataValidationError(
            f"Data file '{shown}' was not found (looked for {p.resolve()}).", path=shown
        )
    if p.is_dir():
        raise DataValidationError(
            f"Data file '{shown}' is a folder; expected a CSV file.", path=shown
        )
    try:
        with p.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise DataValidationError(
            f"Data file '{shown}' cannot be read: {exc.strerror or exc}.", path=shown
        ) from exc
    if not head:
        raise DataValidationError(f"Data file '{shown}' is empty (0 bytes).", path=shown)
    return p, head


def _zip_member(p: Path, shown: str) -> str:
    """The one CSV file in a zip archive."""
    import zipfile

    try:
        with zipfile.ZipFile(p) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise damaged(shown, "zip archive", exc) from None
    names = [i.filename for i in infos if not i.is_dir() and not _ZIP_JUNK.search(i.filename)]
    if any(n == "[Content_Types].xml" for n in names) and any(
        n.startswith(("xl/", "word/", "ppt/")) for n in names
    ):
        what, todo = _EXCEL if any(n.startswith("xl/") for n in names) else _REFUSED_SUFFIX[".docx"]
        raise _refuse(shown, what, todo)
    if "mimetype" in names and "content.xml" in names:
        raise _refuse(shown, *_REFUSED_SUFFIX[".ods"])
    if not names:
        raise DataValidationError(
            f"Data file '{shown}' is a zip archive with no file in it; a zip must hold "
            "exactly one CSV file.",
            path=shown,
        )
    if len(names) > 1:
        shown_names = ", ".join(names[:5]) + (
            f", ... ({len(names)} in all)" if len(names) > 5 else ""
        )
        raise DataValidationError(
            f"Data file '{shown}' is a zip archive holding {len(names)} files ({shown_names}); "
            "a zip must hold exactly one CSV file: unzip it and point the config key 'data' "
            "at the file you mean.",
            path=shown,
        )
    member = names[0]
    refused = _REFUSED_SUFFIX.get(Path(member).suffix.lower())
    if refused or member.lower().endswith(".parquet"):
        what, todo = refused or ("a Parquet file", "unzip it and point 'data' at the file")
        raise DataValidationError(
            f"Data file '{shown}' is a zip archive holding {what} ('{member}'); a zip must "
            f"hold one CSV file: {todo}.",
            path=shown,
        )
    return member


@contextlib.contextmanager
def open_bytes(p: Path, fmt: FileFormat, shown: str) -> Iterator[IO[bytes]]:
    """The file's CSV bytes, decompressed."""
    import bz2
    import gzip
    import lzma
    import zipfile

    if fmt.compression == "zip":
        try:
            with zipfile.ZipFile(p) as archive, archive.open(fmt.member or "") as fh:
                yield fh
        except RuntimeError as exc:  # zipfile's "File ... is encrypted, password required"
            if "encrypted" in str(exc) or "password" in str(exc):
                raise DataValidationError(
                    f"Data file '{shown}' is a password-protected zip archive; unzip it and "
                    "point the config key 'data' at the CSV file.",
                    path=shown,
                ) from None
            raise
        return
    opener: Any = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}.get(
        fmt.compression or "", open
    )
    with opener(p, "rb") as fh:
        yield fh


_DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError)


def decompress_errors() -> tuple[type[BaseException], ...]:
    """What reading a truncated or corrupt compressed file raises."""
    import lzma
    import zipfile
    import zlib

    return (*_DECOMPRESS_ERRORS, lzma.LZMAError, zlib.error, zipfile.BadZipFile)


def _identify_kind(p: Path, head: bytes, shown: str) -> FileFormat:
    """Recognise a file by its first bytes, then by its name."""
    if head.startswith(_PARQUET_MAGIC):
        return FileFormat("parquet")
    for magic, compression in _COMPRESSED_MAGIC:
        if head.startswith(magic):
            if compression == "zip":
                return FileFormat("csv", "zip", member=_zip_member(p, shown))
            return FileFormat("csv", compression)
    for magic, (what, todo) in _REFUSED_MAGIC:
        if head.startswith(magic):
            raise _refuse(shown, what, todo)
    suffixes = [s.lower() for s in p.suffixes]
    if suffixes and suffixes[-1] in _REFUSED_SUFFIX:
        raise _refuse(shown, *_REFUSED_SUFFIX[suffixes[-1]])
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".xz", ".zip", ".parquet"):
        expected = suffixes[-1].lstrip(".")
        raise DataValidationError(
            f"Data file '{shown}' is named as {expected} but its content is not {expected} "
            f"(it starts with {head[:8]!r}); rename it or export it again.",
            path=shown,
        )
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<!doctype html", b"<html", b"<table")):
        raise _refuse(shown, "an XML or HTML document", _SAVE_AS_CSV)
    return FileFormat("csv")


def _check_utf8(p: Path, fmt: FileFormat, shown: str) -> None:
    """Decode the whole text, refusing binary content and text that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    size = 0
    first = True
    with open_bytes(p, fmt, shown) as fh:
        while True:
            try:
                block = fh.read(_CHUNK)
            except decompress_errors() as exc:
                raise damaged(shown, f"{fmt.compression} file", exc) from None
            final = not block
            if first and fmt.compression:
                for magic, (what, todo) in _REFUSED_MAGIC:
                    if block.startswith(magic):
                        raise _refuse(shown, f"compressed {what}", todo)
                if block.startswith(_PARQUET_MAGIC):
                    raise _refuse(shown, "a compressed Parquet file", "decompress it")
            if first and b"\x00" in block:
                raise DataValidationError(
                    f"Data file '{shown}' is not a text file: it holds NUL bytes, as binary "
                    f"files (or UTF-16 text) do; {_SAVE_AS_CSV}.",
                    path=shown,
                )
            first = False
            try:
                decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                # exc.start counts from the start of this block plus any bytes the decoder
                # held back from the previous one; good enough to point at the line.
                line = lines_before + block[: max(exc.start, 0)].count(b"\n") + 1
                bad = block[exc.start : exc.start + 1] if exc.start < len(block) else b""
                raise DataValidationError(
                    f"Data file '{shown}' is not UTF-8 text: byte {bad!r} on line {line} "
                    f"cannot be decoded. Save the file as UTF-8 (CSV UTF-8 in Excel) and retry.",
                    path=shown,
                ) from None
            if final:
                break
            lines_before += block.count(b"\n")
            size += len(block)
    if size == 0:
        what = "holds no text" if fmt.compression else "is empty (0 bytes)"
        raise DataValidationError(f"Data file '{shown}' {what}.", path=shown)


def identify(path: str | os.PathLike[str]) -> tuple[Path, FileFormat]:
    """The file and its kind, after every check that does not need its header."""
    p, head = _existing_file(path)
    fmt = _identify_kind(p, head, str(path))
    if fmt.kind == "csv":
        _check_utf8(p, fmt, str(path))
    return p, fmt


def check_readable(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` is an existing, readable, non-empty data file the pipeline reads.

    CSV text must be UTF-8 (checked after decompression). Returns the resolved path.
    Raises :class:`DataValidationError` naming the file, the rule and what was found
    (for text that is not UTF-8: the line and the byte; for a format the pipeline does
    not read, such as an Excel workbook: what to do instead).
    """
    return identify(path)[0].resolve()
