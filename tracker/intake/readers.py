"""Read a CSV or XLSX data file into chunks of text cells, each row tagged with its line in the file.

Why chunks: a file of a million rows must be checked in bounded memory, so rows arrive ``CHUNK_ROWS`` at a time.
A CSV file of up to ``IN_MEMORY_BYTES`` is read from disk once (its bytes are checked, decoded and parsed in
memory); a larger one is streamed. Both give the same cells and the same problems.

CSV rules:

- limits (``config.yaml`` ``limits:``, see :class:`tracker.config.Limits`): a file above ``file_bytes`` (200 MB)
  is rejected before it is read, a line above ``line_bytes`` or a header above ``columns`` cells before it is
  parsed, a cell above ``cell_chars`` characters when it is met;
- encoding: UTF-8 (with or without BOM); if a byte is not UTF-8 the whole file is read as Windows-1252 (a
  superset of Latin-1 for text). A file mixing both, UTF-16 text, NUL or other control bytes (binary garbage)
  and bytes that are neither encoding are errors with the line they are on;
- delimiter: ``,`` ``;`` or tab, whichever splits the header line into most cells (ties: ``,`` then ``;``);
- quoting: RFC 4180 (``"Toronto, Ontario"``, ``""`` inside quotes, line breaks inside quotes); CRLF or LF;
  the final newline is optional. A row with more non-blank cells than the header is an error; missing trailing
  cells are blank.

XLSX rules (openpyxl, read-only streaming): ``file.xlsx`` reads the first sheet, ``file.xlsx#Name`` the sheet
``Name``; the first non-blank row is the header. Numbers stay numbers (no decimal-separator guessing); formulas,
error values (``#DIV/0!``) and numbers formatted as a percentage (Excel stores 63.1% as 0.631) are errors,
since the value a steward sees is not the value stored. The archive is checked before openpyxl opens it: its
unpacked size counts against ``file_bytes`` (a zip bomb, or shared strings expanding to hundreds of MB), the
sheet's declared dimension is ignored (a huge one would make openpyxl pad every row), rows wider than
``columns``, sheets above ``cells`` cells and texts above ``cell_chars`` are refused; its XML is parsed by
defusedxml (no entity expansion, no external entities).
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import logging
import re
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from tracker.config import Limits
from tracker.problems import Problem, ProblemsFound

log = logging.getLogger(__name__)

CHUNK_ROWS = 50_000
SNIFF_BLOCK = 1 << 20  # bytes per step of the encoding check
IN_MEMORY_BYTES = SNIFF_BLOCK  # a CSV up to this size is read once, then checked and parsed in memory
DELIMITERS = (",", ";", "\t")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
TEXT, NUMBER, REPORTED = 0, 1, 2  # kinds of XLSX cells; REPORTED cells already have a problem of their own

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.match(bytes([b])))
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8' or as .xlsx"


@dataclass
class Chunk:
    """Up to ``CHUNK_ROWS`` rows: text cells by column position, with the line (CSV) or row (XLSX) of each row."""

    columns: list[np.ndarray]  # one object array of text cells per column of the header
    lines: np.ndarray  # int64, one per row
    kinds: np.ndarray | None = None  # XLSX only: TEXT/NUMBER/REPORTED per cell, shape (rows, columns)
    problems: list[Problem] = field(default_factory=list)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The cells as a frame: columns by position, indexed by ``line`` (built on first use only)."""
        return pd.DataFrame(
            {i: col for i, col in enumerate(self.columns)},
            index=pd.Index(self.lines, name="line"),
            dtype=object,
        )


@dataclass
class Table:
    header: list[str]  # column names as written, stripped
    header_line: int
    chunks: Generator[Chunk, None, None]  # closed by the reader when it stops early
    decimal: str = "."  # the decimal separator to assume when no cell of the file tells
    encoding: str = ""
    delimiter: str = ""


def split_sheet(path: Path) -> tuple[Path, str | None]:
    """``data.xlsx#Sheet`` -> (``data.xlsx``, ``"Sheet"``); any other path is returned as is."""
    text = str(path)
    if "#" in text and not path.exists():
        base, sheet = text.rsplit("#", 1)
        if base.lower().endswith(".xlsx"):
            return Path(base), sheet
    return path, None


def open_table(
    path: Path,
    label: str,
    *,
    max_bytes: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    limits: Limits | None = None,
) -> Table:
    """Open a data file; raise :class:`ProblemsFound` when it cannot be read at all.

    ``limits`` default to :class:`~tracker.config.Limits`' defaults; ``max_bytes`` overrides ``file_bytes``.
    """
    limits = limits or Limits()
    if max_bytes is not None:
        limits = limits.model_copy(update={"file_bytes": max_bytes})
    path, sheet = split_sheet(path)
    if not path.is_file():
        raise _fatal(
            label,
            "file not found" if not path.exists() else "is not a regular file (a folder or a device)",
            "check the file name",
        )
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise _fatal(
            label,
            f"the file is {_size(size)}, above the limit of {_size(limits.file_bytes)}",
            "split it into smaller files, or raise limits.file_bytes in config.yaml",
        )
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _open_xlsx(path, sheet, label, chunk_rows, limits)
    if suffix in TEXT_SUFFIXES:
        return _open_csv(path, label, chunk_rows, limits)
    raise _fatal(label, f"unsupported file type {suffix or '(none)'!r}", "use .csv (UTF-8) or .xlsx")


# --- CSV ---------------------------------------------------------------------------------------------------


def sniff_encoding(path: Path, label: str, line_bytes: int | None = None) -> str:
    """``utf-8-sig`` or ``cp1252`` after one pass over the bytes; raise on binary or mixed content, or on a line
    longer than ``line_bytes``."""
    with path.open("rb") as fh:
        return _sniff_blocks(iter(lambda: fh.read(SNIFF_BLOCK), b""), label, line_bytes)


def _sniff_blocks(blocks: Iterable[bytes], label: str, line_bytes: int | None = None) -> str:
    """:func:`sniff_encoding` on the file's bytes, given in blocks of ``SNIFF_BLOCK`` bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    bad_utf8 = multibyte = not_cp1252 = None
    lines = 0
    has_text = False
    first = True
    carry = 0  # bytes of the line that continues from the previous block
    for block in blocks:
        if line_bytes is not None:
            carry = _check_lines(block, carry, lines, line_bytes, label)
        if first:
            first = False
            if block[:4].startswith((b"\xff\xfe", b"\xfe\xff")):
                raise _fatal(label, "the file is UTF-16 text, not UTF-8", _SAVE_AS)
        if block.translate(None, _NOT_CONTROL) and (m := _CONTROL.search(block)):
            raise _fatal(
                label,
                f"binary data (byte 0x{block[m.start()]:02x}): this is not a text file",
                _SAVE_AS,
                line=lines + block.count(b"\n", 0, m.start()) + 1,
            )
        has_text = has_text or bool(block.strip(b" \t\r\n\xef\xbb\xbf"))
        if not block.isascii():  # the slow searches only where a byte is not ASCII
            if bad_utf8 is None:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    bad_utf8 = lines + block.count(b"\n", 0, max(exc.start, 0)) + 1
            if multibyte is None and (m := _UTF8_MULTIBYTE.search(block)):
                multibyte = lines + block.count(b"\n", 0, m.start()) + 1
            if not_cp1252 is None and (m := _NOT_CP1252.search(block)):
                not_cp1252 = lines + block.count(b"\n", 0, m.start()) + 1
        elif bad_utf8 is None:
            decoder.decode(block)  # flushes a sequence cut at the end of the previous block
        lines += block.count(b"\n")
    if bad_utf8 is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad_utf8 = lines + 1
    if not has_text:
        raise _fatal(label, "the file is empty", "write a header line (period,value) and one row per period")
    if bad_utf8 is None:
        return "utf-8-sig"
    if multibyte is not None:
        raise _fatal(
            label,
            f"mixed encodings: this line is not UTF-8 but line {multibyte} is",
            "save the whole file as 'CSV UTF-8'",
            line=bad_utf8,
        )
    if not_cp1252 is not None:
        raise _fatal(label, "bytes that are neither UTF-8 nor Windows-1252 text", _SAVE_AS, line=not_cp1252)
    log.info("%s: not UTF-8, read as Windows-1252", label)
    return "cp1252"


def _check_lines(block: bytes, carry: int, lines: int, limit: int, label: str) -> int:
    """Raise when a line of ``block`` (the first one continuing ``carry`` bytes) is longer than ``limit``;
    return the length of its last, unfinished line."""
    first = block.find(b"\n")
    if first < 0:
        carry += len(block)
        if carry > limit:
            raise _line_too_long(label, lines + 1, limit)
        return carry
    if carry + first > limit:
        raise _line_too_long(label, lines + 1, limit)
    last = block.rfind(b"\n")
    if last - first > limit:  # some line between the first and the last newline may be long
        pieces = block[first + 1 : last].split(b"\n")
        longest = max(range(len(pieces)), key=lambda k: len(pieces[k]))
        if len(pieces[longest]) > limit:
            raise _line_too_long(label, lines + 2 + longest, limit)
    return len(block) - last - 1


def _line_too_long(label: str, line: int, limit: int) -> ProblemsFound:
    return _fatal(
        label,
        f"a line longer than {_size(limit)}",
        "a data row needs far less: check that this is "
        "the right file, or raise limits.line_bytes in config.yaml",
        line=line,
    )


def _cell_too_long(label: str, limit: int, line: int | None) -> ProblemsFound:
    return _fatal(
        label,
        f"a cell longer than {limit:,} characters",
        "shorten the text (a note or a source needs a "
        "few hundred characters), check the quotes on this line, or raise limits.cell_chars",
        line=line,
    )


def sniff_delimiter(first_line: str) -> str:
    """The candidate that splits the header line into most cells (the header names hold no delimiters)."""
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equal counts
    return best if counts[best] > 1 else ","


def _open_csv(path: Path, label: str, chunk_rows: int, limits: Limits) -> Table:
    source, encoding = _text_source(path, label, limits.line_bytes)
    with source() as fh, field_limit(limits.cell_chars):
        first_line = next((line for line in fh if line.strip()), "")
        fh.seek(0)
        try:
            delimiter = sniff_delimiter(first_line)
        except csv.Error:
            raise _cell_too_long(label, limits.cell_chars, 1) from None
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        skipped = 0  # blank records before the header
        try:
            for header in reader:
                if any(c.strip() for c in header):
                    break
                skipped += 1
            else:
                header = None
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise _cell_too_long(label, limits.cell_chars, reader.line_num) from None
            raise _fatal(
                label, f"malformed CSV: {exc}", "check the quotes on this line", line=reader.line_num
            ) from None
        if header is None:
            raise _fatal(
                label, "the file is empty", "write a header line (period,value) and one row per period"
            )
        header_line = reader.line_num
    if len(header) > limits.columns:
        raise _too_wide(label, len(header), limits.columns, header_line)
    names = [h.strip() for h in header]
    decimal = "," if delimiter == ";" else "."
    chunks = _csv_chunks(source, delimiter, skipped + 1, names, label, chunk_rows, limits.cell_chars)
    return Table(names, header_line, chunks, decimal, encoding, delimiter)


def _too_wide(label: str, cells: int, limit: int, line: int) -> ProblemsFound:
    return _fatal(
        label,
        f"{cells:,} columns, above the limit of {limit:,}",
        "a data file has period, value, "
        "note, flag, source and one column per disaggregation: check that this is the right file, or "
        "raise limits.columns in config.yaml",
        line=line,
    )


def _text_source(
    path: Path, label: str, line_bytes: int | None = None
) -> tuple[Callable[[], io.TextIOBase], str]:
    """A function that opens the file as text (``newline=""``), and the file's encoding (see :func:`sniff_encoding`).

    A small file is read once: its bytes are checked and decoded in memory, so the header and the rows are
    parsed from that text without opening the file again. A large one is streamed on each opening.
    """
    if path.stat().st_size <= IN_MEMORY_BYTES:
        data = path.read_bytes()
        encoding = _sniff_blocks(
            (data[k : k + SNIFF_BLOCK] for k in range(0, len(data), SNIFF_BLOCK)), label, line_bytes
        )
        text = data.decode(encoding)
        del data

        def source() -> io.TextIOBase:
            return io.StringIO(text, newline="")
    else:
        encoding = sniff_encoding(path, label, line_bytes)

        def source() -> io.TextIOBase:
            return path.open(encoding=encoding, newline="")

    return source, encoding


def _csv_chunks(
    source: Callable[[], io.TextIOBase],
    delimiter: str,
    skip: int,
    names: list[str],
    label: str,
    chunk_rows: int,
    cell_chars: int,
) -> Generator[Chunk, None, None]:
    """Rows after the header; the file is opened on the first ``next()``, so an unread table holds nothing open."""
    fh = source()
    reader = csv.reader(fh, delimiter=delimiter, strict=True)
    width = len(names)
    with fh:
        for _ in islice(reader, skip):
            pass
        while True:
            start = reader.line_num
            try:
                # millions of short-lived lists make the cyclic GC run for nothing
                with gc_paused(), field_limit(cell_chars):
                    rows = list(islice(reader, chunk_rows))
            except csv.Error as exc:
                if "field limit" in str(exc):
                    raise _cell_too_long(label, cell_chars, reader.line_num) from None
                raise _fatal(
                    label,
                    f"malformed CSV: {exc}",
                    'a quoted cell must end with a quote; write "" for a quote inside it',
                    line=_bad_record_line(source, reader.dialect),
                ) from None
            if not rows:
                return
            if reader.line_num - start == len(rows):
                lines = np.arange(start + 1, start + 1 + len(rows), dtype=np.int64)
            else:  # some cells hold line breaks: each row starts after the lines of the rows before it
                spans = [1 + sum(_breaks(cell) for cell in row) for row in rows]
                lines = start + 1 + np.concatenate(([0], np.cumsum(spans[:-1]))).astype(np.int64)
            problems = []
            for i, row in enumerate(rows):
                if len(row) != width:
                    if len(row) > width and any(c.strip() for c in row[width:]):
                        problems.append(
                            Problem(
                                label,
                                f"{len(row)} cells but the header has {width}",
                                line=int(lines[i]),
                                hint=f'quote cells that contain the delimiter ("a{reader.dialect.delimiter} b") '
                                "or add a name for the extra column",
                            )
                        )
                    rows[i] = (row + [""] * width)[:width]
            with gc_paused():
                columns = [np.array(col, dtype=object) for col in zip(*rows, strict=True)] if width else []
            yield Chunk(columns, lines, None, problems)


def _bad_record_line(source: Callable[[], io.TextIOBase], dialect) -> int | None:  # noqa: ANN001
    """The line where the first malformed record starts (the reader only knows where it gave up)."""
    with source() as again:
        reader = csv.reader(again, dialect)
        start = 1
        try:
            for _ in reader:
                start = reader.line_num + 1
        except csv.Error:
            return start
    return None


def _breaks(cell: str) -> int:
    return cell.count("\n") + cell.count("\r") - cell.count("\r\n")


@contextmanager
def field_limit(chars: int) -> Iterator[None]:
    """The csv module's own guard against long cells, set to ``limits.cell_chars`` while this file is parsed.

    The setting is process-wide: it is restored after each use, so other readers keep theirs.
    """
    previous = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- XLSX --------------------------------------------------------------------------------------------------

#: What a broken or hostile workbook raises while its XML is read: defusedxml's refusals are ValueErrors, a
#: parse error of xml.etree is a SyntaxError, a damaged archive a BadZipFile, EOFError or zlib error.
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    TypeError,
    IndexError,
    AttributeError,
)
_RESAVE = "open it in a spreadsheet and save it again as .xlsx"


def _open_xlsx(path: Path, sheet: str | None, label: str, chunk_rows: int, limits: Limits) -> Table:
    _check_archive(path, label, limits)
    book, ws = _sheet(path, sheet, label)
    try:
        rows = enumerate(ws.iter_rows(min_row=1), start=1)
        header_line, header = next(
            ((n, r) for n, r in rows if any(_text(c.value).strip() for c in r)), (0, ())
        )
    except _XLSX_ERRORS as exc:
        raise _unreadable(label, exc) from None
    finally:
        book.close()
    if not header_line:
        raise _fatal(label, "the sheet is empty", "write a header row (period, value) and one row per period")
    names = [_text(c.value).strip() for c in header]
    while names and not names[-1]:
        names.pop()
    if len(names) > limits.columns:
        raise _too_wide(label, len(names), limits.columns, header_line)
    return Table(
        names, header_line, _xlsx_chunks(path, sheet, header_line, names, label, chunk_rows, limits), "."
    )


def _check_archive(path: Path, label: str, limits: Limits) -> None:
    """Refuse a workbook whose unpacked content exceeds ``file_bytes`` before anything is unpacked (a zip bomb,
    or shared strings expanding to hundreds of MB, which openpyxl would load whole)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(label, exc) from None
    if unpacked > limits.file_bytes:
        raise _fatal(
            label,
            f"the workbook unpacks to {_size(unpacked)}, above the limit of {_size(limits.file_bytes)}",
            "split it into smaller files, or raise limits.file_bytes",
        )


def _unreadable(label: str, exc: BaseException) -> ProblemsFound:
    log.info("%s: cannot read the workbook: %r", label, exc)
    causes: list[BaseException] = []
    cause: BaseException | None = exc  # openpyxl wraps the parser's error in its own ValueError
    while cause is not None and len(causes) < 10:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(type(c).__module__.startswith("defusedxml") for c in causes):
        return _fatal(
            label,
            "the workbook's XML declares entities or a DTD, which a spreadsheet never writes "
            "(an XML bomb or an external entity)",
            _RESAVE,
        )
    return _fatal(label, "not a readable .xlsx workbook", _RESAVE)


def _sheet(path: Path, sheet: str | None, label: str):  # noqa: ANN202
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, *_XLSX_ERRORS) as exc:
        raise _unreadable(label, exc) from None
    if not book.worksheets:
        book.close()
        raise _fatal(label, "the workbook has no sheet", _RESAVE)
    if sheet is None:
        ws = book.worksheets[0]
    elif sheet in book.sheetnames:
        ws = book[sheet]
    else:
        book.close()
        raise _fatal(label, f"no sheet named {sheet!r}", f"use one of: {', '.join(book.sheetnames)}")
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # a declared A1:XFD1048576 would make openpyxl pad every row to 16,384 cells
    return book, ws


def _xlsx_chunks(
    path: Path,
    sheet: str | None,
    header_line: int,
    names: list[str],
    label: str,
    chunk_rows: int,
    limits: Limits,
) -> Generator[Chunk, None, None]:
    from openpyxl.utils import get_column_letter

    book, ws = _sheet(path, sheet, label)
    rows = enumerate(ws.iter_rows(min_row=header_line + 1), start=header_line + 1)
    width = len(names)
    cells_read = 0
    try:
        while True:
            try:
                batch = list(islice(rows, chunk_rows))
            except _XLSX_ERRORS as exc:
                raise _unreadable(label, exc) from None
            if not batch:
                return
            for line, row in batch:
                if len(row) > limits.columns:
                    raise _too_wide(label, len(row), limits.columns, line)
                cells_read += max(len(row), width)
            if cells_read > limits.cells:
                raise _fatal(
                    label,
                    f"more than {limits.cells:,} cells",
                    "split the sheet into smaller files, or raise limits.cells in config.yaml",
                    line=batch[-1][0],
                )
            cells = np.full((len(batch), width), "", dtype=object)
            kinds = np.zeros((len(batch), width), dtype=np.int8)
            problems: list[Problem] = []
            for i, (line, row) in enumerate(batch):
                for j, cell in enumerate(row):
                    value = cell.value
                    if value is None:
                        continue
                    if j >= width:
                        if _text(value).strip():
                            problems.append(
                                Problem(
                                    label,
                                    f"cell {get_column_letter(j + 1)}{line} is outside the "
                                    "table: its column has no header",
                                    line=line,
                                    hint="add a column name in the header row or clear the cell",
                                )
                            )
                        continue
                    column = names[j] or None
                    where = f"{get_column_letter(j + 1)}{line}"
                    kind = cell.data_type
                    if kind == "f":
                        problems.append(
                            Problem(
                                label,
                                f"cell {where} holds a formula ({value})",
                                line=line,
                                column=column,
                                hint="paste the values only (Paste special > Values)",
                            )
                        )
                        kinds[i, j] = REPORTED
                    elif kind == "e":
                        problems.append(
                            Problem(
                                label,
                                f"cell {where} holds an error value ({value})",
                                line=line,
                                column=column,
                                hint="type the value itself",
                            )
                        )
                        kinds[i, j] = REPORTED
                    elif kind == "n" and not isinstance(value, bool) and "%" in (cell.number_format or ""):
                        problems.append(
                            Problem(
                                label,
                                f"cell {where} shows {value * 100:g}% but holds {value:g}",
                                line=line,
                                column=column,
                                hint=f"type {value * 100:g} in a cell with a General or Number format",
                            )
                        )
                        kinds[i, j] = REPORTED
                    elif isinstance(value, (int, float)) and not isinstance(value, bool):
                        kinds[i, j] = NUMBER
                    elif isinstance(value, str) and len(value) > limits.cell_chars:
                        problems.append(
                            Problem(
                                label,
                                f"cell {where} holds {len(value):,} characters, above the "
                                f"limit of {limits.cell_chars:,}",
                                line=line,
                                column=column,
                                hint="shorten the text, or raise limits.cell_chars",
                            )
                        )
                        kinds[i, j] = REPORTED
                        continue
                    cells[i, j] = _text(value)
            lines = np.array([line for line, _ in batch], dtype=np.int64)
            yield Chunk([cells[:, j] for j in range(width)], lines, kinds, problems)
    finally:
        book.close()


def _text(value: object) -> str:
    """A cell value as the text a steward would type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- helpers -----------------------------------------------------------------------------------------------


def _fatal(label: str, message: str, hint: str, line: int | None = None) -> ProblemsFound:
    return ProblemsFound([Problem(label, message, line=line, hint=hint)])


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 1_000_000 else f"{n / 1_000_000:,.1f} MB"
