"""The export formats, each a stream of UTF-8 bytes made from a selection of verdicts.

Rows are read from a cursor in batches and written out in chunks of about 64 KB, so memory stays
flat however many rows there are. On PostgreSQL the CSV comes straight from ``COPY``; elsewhere
Python's csv module writes the same text from the same query.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from claims.exports.claimreview import claim_reviews
from claims.exports.selection import TABLE_COLUMNS, table_rows

CHUNK_BYTES = 64 * 1024
ROWS_PER_FETCH = 2000
# One encoder for every row: json.dumps with options builds a new one per call.
_to_json = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode

Progress = Callable[[int], None]


def _chunked(pieces: Iterable[str], progress: Progress | None, *, head: str, tail: str = "") -> Iterator[bytes]:
    """``pieces`` (one a row) between ``head`` and ``tail``, encoded and gathered into chunks;
    ``progress`` hears how many rows have been written."""
    buffer, size, rows = [head], len(head), 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        rows += 1
        if size >= CHUNK_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
            if progress:
                progress(rows)
    buffer.append(tail)
    yield "".join(buffer).encode()
    if progress:
        progress(rows)


def _in_transaction(stream: Callable[[], Iterator[bytes]], db: str) -> Iterator[bytes]:
    # A server-side cursor outside a transaction is materialised whole before its first row.
    with transaction.atomic(using=db):
        yield from stream()


def csv_stream(verdicts: QuerySet, progress: Progress | None = None) -> Iterator[bytes]:
    rows = table_rows(verdicts, for_spreadsheet=True)
    header = ",".join(TABLE_COLUMNS) + "\n"
    # A selection that cannot match (a filter the caller may not use) has no SQL to COPY.
    if connections[rows.db].vendor == "postgresql" and not rows.query.is_empty():
        yield header.encode()
        yield from _in_transaction(lambda: _copy_csv(rows, progress), rows.db)
        return
    yield from _in_transaction(lambda: _chunked(_csv_lines(rows), progress, head=header), rows.db)


def _copy_csv(rows: QuerySet, progress: Progress | None) -> Iterator[bytes]:
    sql, params = rows.query.sql_with_params()
    buffer, written = bytearray(), 0
    with (
        connections[rows.db].cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        for data in copy:  # one row each
            buffer += data
            written += 1
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
                if progress:
                    progress(written)
    if buffer:
        yield bytes(buffer)
    if progress:
        progress(written)


def _csv_lines(rows: QuerySet) -> Iterator[str]:
    """One line per row, quoted as PostgreSQL's COPY quotes them and ended, as COPY ends them, by LF."""
    line = io.StringIO()
    # The csv module quotes a field holding a character of its line terminator: CR must be one.
    writer = csv.writer(line, lineterminator="\r\n")
    for values in rows.iterator(chunk_size=ROWS_PER_FETCH):
        writer.writerow(values)
        yield line.getvalue()[:-2] + "\n"
        line.seek(0)
        line.truncate()


def json_stream(verdicts: QuerySet, progress: Progress | None = None) -> Iterator[bytes]:
    """A JSON array of objects with the CSV's columns; ``evidence_urls`` is a list."""
    rows = table_rows(verdicts, for_spreadsheet=False)

    def objects():
        for values in rows.iterator(chunk_size=ROWS_PER_FETCH):
            row = dict(zip(TABLE_COLUMNS, values, strict=True))
            row["evidence_urls"] = (row["evidence_urls"] or "").split()
            yield row

    yield from _in_transaction(lambda: _chunked(_json_items(objects()), progress, head="[\n", tail="\n]\n"), rows.db)


def claimreview_stream(verdicts: QuerySet, progress: Progress | None = None) -> Iterator[bytes]:
    """A JSON array of ClaimReview records, each complete with its ``@context``."""
    records = _json_items(claim_reviews(verdicts))
    yield from _in_transaction(lambda: _chunked(records, progress, head="[\n", tail="\n]\n"), verdicts.db)


def _json_items(objects: Iterable[dict]) -> Iterator[str]:
    """The items of a JSON array, one a line."""
    separator = ""
    for item in objects:
        yield separator + _to_json(item)
        separator = ",\n"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    filename: str
    media_type: str
    stream: Callable[..., Iterator[bytes]]


FORMATS = {
    export.name: export
    for export in (
        ExportFormat("csv", "verdicts.csv", "text/csv; charset=utf-8", csv_stream),
        ExportFormat("json", "verdicts.json", "application/json", json_stream),
        ExportFormat("claimreview", "claimreview.json", "application/ld+json", claimreview_stream),
    )
}


def streaming_response(export: ExportFormat, verdicts: QuerySet) -> StreamingHttpResponse:
    """The export as a download that starts at once and streams to its end."""
    response = StreamingHttpResponse(export.stream(verdicts), content_type=export.media_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
