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

from claims.outputs.claimreview import claim_reviews
from claims.outputs.columns import TABLE_COLUMNS, table_rows

CHUNK_BYTES = 64 * 1024
ROWS_PER_FETCH = 2000
# One encoder for every row: json.dumps with options builds a new one per call.
_to_json = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode

Progress = Callable[[int], None]


def _gathered(rows: Iterable[bytes], progress: Progress | None) -> Iterator[bytes]:
    """``rows`` gathered into chunks of about ``CHUNK_BYTES``; ``progress`` hears how many rows were written."""
    buffer, written = bytearray(), 0
    for row in rows:
        buffer += row
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


def _in_transaction(stream: Callable[[], Iterator[bytes]], db: str) -> Iterator[bytes]:
    # A server-side cursor outside a transaction is materialised whole before its first row.
    with transaction.atomic(using=db):
        yield from stream()


def csv_stream(verdicts: QuerySet, progress: Progress | None = None) -> Iterator[bytes]:
    rows = table_rows(verdicts, for_spreadsheet=True)
    yield (",".join(TABLE_COLUMNS) + "\n").encode()
    # A selection that cannot match (a filter the caller may not use) has no SQL to COPY.
    from_copy = connections[rows.db].vendor == "postgresql" and not rows.query.is_empty()
    lines = _copied if from_copy else _csv_lines
    yield from _in_transaction(lambda: _gathered(lines(rows), progress), rows.db)


def _copied(rows: QuerySet) -> Iterator[bytes]:
    """The rows' CSV lines as PostgreSQL's ``COPY`` writes them, one each."""
    sql, params = rows.query.sql_with_params()
    with (
        connections[rows.db].cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        yield from copy


def _csv_lines(rows: QuerySet) -> Iterator[bytes]:
    """One line per row, quoted as PostgreSQL's COPY quotes them and ended, as COPY ends them, by LF."""
    line = io.StringIO()
    # The csv module quotes a field holding a character of its line terminator: CR must be one.
    writer = csv.writer(line, lineterminator="\r\n")
    for values in rows.iterator(chunk_size=ROWS_PER_FETCH):
        writer.writerow(values)
        yield (line.getvalue()[:-2] + "\n").encode()
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

    yield from _json_array(objects, rows.db, progress)


def claimreview_stream(verdicts: QuerySet, progress: Progress | None = None) -> Iterator[bytes]:
    """A JSON array of ClaimReview records, each complete with its ``@context``."""
    yield from _json_array(lambda: claim_reviews(verdicts), verdicts.db, progress)


def _json_array(objects: Callable[[], Iterable[dict]], db: str, progress: Progress | None) -> Iterator[bytes]:
    """The objects as a JSON array, one a line."""

    def items():
        separator = ""
        for item in objects():
            yield (separator + _to_json(item)).encode()
            separator = ",\n"

    yield b"[\n"
    yield from _in_transaction(lambda: _gathered(items(), progress), db)
    yield b"\n]\n"


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
