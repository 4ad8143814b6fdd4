"""Spreadsheets a reader opens as they are: one XLSX per indicator and language, and one for the scorecard.

Italian Excel opens a comma-separated UTF-8 file in one column with garbled accents; an XLSX has neither
problem (numbers are numbers, text is Unicode, no separator to guess). The CSV files stay for machines.

The workbooks are written here as the few XML parts of an Office Open XML spreadsheet (ECMA-376: one sheet
per table, inline strings, a frozen header row) rather than with openpyxl, which takes ~35 ms for a 300-row
sheet: 35 s for the benchmark's 1,000 indicators. The tests read every workbook back with openpyxl. The zip
entries carry a fixed date, so the same values give the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

Cell = str | int | float | None

#: Characters XML 1.0 does not allow (a data file could hold them); they are dropped from cells.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FIXED_DATE = (2000, 1, 1, 0, 0, 0)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
    '<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
#: Two cell styles: 0 plain, 1 bold (the header row).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: Cell, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(_INVALID.sub("", str(value)))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet(header: Sequence[str], rows: Iterable[Sequence[Cell]], widths: Sequence[int]) -> str:
    letters = [column_letter(i) for i in range(len(header))]
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews><cols>'
    ]
    parts += [f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths)]
    parts.append('</cols><sheetData><row r="1">')
    parts += [_cell(f"{letters[i]}1", name, 1) for i, name in enumerate(header)]
    parts.append("</row>")
    # Texts repeat down a column (periods, units, flags, notes, sources): each distinct one is escaped once.
    texts: dict[str, str] = {}
    for n, row in enumerate(rows, start=2):
        parts.append(f'<row r="{n}">')
        for i, value in enumerate(row):
            if isinstance(value, str) and value:
                body = texts.get(value)
                if body is None:
                    body = texts[value] = escape(_INVALID.sub("", value))
                parts.append(
                    f'<c r="{letters[i]}{n}" t="inlineStr"><is><t xml:space="preserve">{body}</t></is></c>'
                )
            elif isinstance(value, float) and math.isfinite(value):
                parts.append(f'<c r="{letters[i]}{n}"><v>{value!r}</v></c>')
            else:
                parts.append(_cell(f"{letters[i]}{n}", value, 0))
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


#: Escaped texts of :func:`_row`: periods, units, flags, notes and sources repeat down a column and across the
#: workbooks of a build. Bounded, so a million distinct notes cannot fill the memory.
_TEXTS: dict[str, str] = {}
_TEXTS_MAX = 50_000


def _row(n: int, row: Sequence[Cell], letters: list[str], longest: list[int], columns: int) -> str:
    """Row ``n`` as :func:`_cell` writes each of its cells (the same bytes), measuring the widths into
    ``longest`` on the way: texts and floats, nearly every cell, take a short path (a text escaped once per
    distinct value, a float written once); anything else goes through :func:`_cell`."""
    cells = [f'<row r="{n}">']
    for i, value in enumerate(row):
        if isinstance(value, str):
            if not value:
                continue
            width = len(value)
            body = _TEXTS.get(value)
            if body is None:
                if len(_TEXTS) >= _TEXTS_MAX:
                    _TEXTS.clear()
                body = _TEXTS[value] = escape(_INVALID.sub("", value))
            cells.append(
                f'<c r="{letters[i]}{n}" t="inlineStr"><is><t xml:space="preserve">{body}</t></is></c>'
            )
        elif isinstance(value, float):
            text = repr(value)
            width = len(text)
            if math.isfinite(value):
                cells.append(f'<c r="{letters[i]}{n}"><v>{text}</v></c>')
        elif value is None:
            continue
        else:
            width = len(str(value))
            cells.append(_cell(f"{letters[i]}{n}", value, 0))
        if i < columns and width > longest[i]:
            longest[i] = width
    cells.append("</row>")
    return "".join(cells)


#: Rows turned into XML at a time by :func:`_put_sheet`.
_ROWS_PER_PART = 2_000
_SPOOL_BYTES = 8 << 20


def _put_sheet(
    archive: zipfile.ZipFile, name: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> None:
    """Write one worksheet as :func:`_sheet` would (the same bytes), holding only a few rows at a time.

    The column widths come before the rows in the XML but depend on every row, so the rows are written as XML
    to a temporary file while the widths are measured, then copied into the archive after the header. A
    million-row sheet as one string, from ten million cell strings, cost about 700 MB; this keeps a few MB.
    """
    letters = [column_letter(i) for i in range(len(header))]
    longest = [len(str(h)) for h in header]
    columns = len(longest)
    # In memory up to a few MB (a usual sheet: no file at all), on disk beyond.
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as body:
        parts: list[str] = []
        for n, row in enumerate(rows, start=2):
            parts.append(_row(n, row, letters, longest, columns))
            if n % _ROWS_PER_PART == 0:
                body.write("".join(parts).encode("utf-8"))
                parts.clear()
        body.write("".join(parts).encode("utf-8"))
        before, after = _sheet(header, [], [min(60, w + 2) for w in longest]).split("</row>", 1)
        head, tail = (before + "</row>").encode("utf-8"), after.encode("utf-8")
        info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size = len(head) + body.tell() + len(tail)  # as writestr sets it: the same entry header
        body.seek(0)
        with archive.open(info, "w") as entry:
            entry.write(head)
            shutil.copyfileobj(body, entry, 1 << 20)
            entry.write(tail)


def workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Cell]]]]) -> bytes:
    """An XLSX file of ``(sheet name, header, rows)``; each cell a number, a text or ``None`` (empty)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, text: str) -> None:
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))

        put(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(sheets) + 1))),
        )
        put("_rels/.rels", _ROOT_RELS)
        names = "".join(
            f'<sheet name="{escape(_sheet_name(title))}" sheetId="{n}" r:id="rId{n}"/>'
            for n, (title, _, _) in enumerate(sheets, start=1)
        )
        put("xl/workbook.xml", _WORKBOOK.format(sheets=names))
        rels = "".join(
            f'<Relationship Id="rId{n}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        put("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(rels=rels))
        put("xl/styles.xml", _STYLES)
        for n, (_, header, rows) in enumerate(sheets, start=1):
            _put_sheet(archive, f"xl/worksheets/sheet{n}.xml", header, rows)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    """Excel's rules: at most 31 characters, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"
