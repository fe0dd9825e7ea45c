"""The first look at a legacy .xls (BIFF inside an OLE compound file), before any reader.

A reader of .xls builds every sheet as a whole grid as soon as the workbook opens, from the cells'
positions, and some follow a broken sector chain without end. So the compound file is opened with
olefile (pure Python, loop-safe), its workbook stream walked record by record: a password
(FILEPASS) is refused as such, and the grids a reader would build are sized from the cell records
before it builds them.
"""

from __future__ import annotations

import struct

from pipeline.ingest.limits import Container, Limits, Refused

_BOF = {0x0809, 0x0409, 0x0209, 0x0009}
_EOF = 0x000A
_FILEPASS = 0x002F
_BOUNDSHEET = 0x0085
# records that place a cell (row, column first); MULRK/MULBLANK end with their last column
_CELLS = {
    0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0206, 0x0406,
    0x00BD, 0x00BE, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E,
}  # fmt: skip
_SPANS = {0x00BD, 0x00BE}


def inspect_legacy(data: bytes, limits: Limits) -> Container:
    """Refuse an encrypted or oversized .xls, or one without a workbook stream."""
    import io

    import olefile  # type: ignore[import-untyped]

    if "EncryptedPackage".encode("utf-16-le") in data:
        raise Refused("F03")  # an .xlsx saved with a password is an OLE file with this stream
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            names = ["/".join(entry) for entry in ole.listdir()]
            stream = next((n for n in names if n.lower() in ("workbook", "book")), None)
            if stream is None:
                raise Refused("F01", "旧形式（.xls）のブックの中にシートのデータが見つかりません")
            book = ole.openstream(stream).read()
    except Refused:
        raise
    except Exception:  # olefile raises several types for a broken compound file
        raise Refused("F01", "旧形式（.xls）のファイルの構造が壊れています") from None
    _check_records(book, limits)
    return Container("xls")


def _check_records(book: bytes, limits: Limits) -> None:
    sheets = _sheet_names(book)
    boxes: list[
        tuple[int, list[int]]
    ] = []  # (offset of the substream, [min r, max r, min c, max c])
    box: list[int] | None = None
    position = 0
    while position + 4 <= len(book):
        kind, size = struct.unpack_from("<HH", book, position)
        body = book[position + 4 : position + 4 + size]
        if kind in _BOF:
            box = []
            boxes.append((position, box))
        elif kind == _FILEPASS and len(boxes) <= 1:
            raise Refused("F03")
        elif kind in _CELLS and box is not None and len(body) >= 4:
            row, column = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0] if kind in _SPANS else column
            if box:
                box[:] = [
                    min(box[0], row),
                    max(box[1], row),
                    min(box[2], column),
                    max(box[3], last),
                ]
            else:
                box[:] = [row, row, column, max(column, last)]
        elif kind == _EOF:
            box = None
        position += 4 + size
    total = 0
    for n, (offset, found) in enumerate(boxes):
        if not found:
            continue
        cells = (found[1] - found[0] + 1) * (found[3] - found[2] + 1)
        total += cells
        if total > limits.max_legacy_cells:
            name = sheets.get(offset, f"{n}番目のシート")
            raise Refused(
                "F05",
                f"旧形式（.xls）のシート「{name}」の範囲 {found[1] - found[0] + 1:,}行×"
                f"{found[3] - found[2] + 1:,}列 が大きすぎます。"
                "旧形式は全シートを丸ごと読み込むため、"
                f"セル数の合計の上限（{limits.max_legacy_cells:,}）を超えます。"
                ".xlsx で保存し直すと読み取れます",
            )


def _sheet_names(book: bytes) -> dict[int, str]:
    """Offset of each sheet's substream -> its name (BOUNDSHEET records, BIFF5 and 8)."""
    names: dict[int, str] = {}
    position = 0
    while position + 4 <= len(book):
        kind, size = struct.unpack_from("<HH", book, position)
        body = book[position + 4 : position + 4 + size]
        position += 4 + size
        if kind == _EOF:
            break
        if kind != _BOUNDSHEET or len(body) < 8:
            continue
        offset, length, flags = struct.unpack_from("<I", body)[0], body[6], body[7]
        text = body[8:]
        try:
            if flags & 1:
                names[offset] = text[: 2 * length].decode("utf-16-le")
            elif len(body) >= 8 + length and flags == 0:
                names[offset] = text[:length].decode("latin-1")
            else:  # BIFF5: no flags byte, the name in the workbook's code page
                names[offset] = body[7 : 7 + length].decode("cp932", "replace")
        except UnicodeDecodeError:
            continue
    return names
