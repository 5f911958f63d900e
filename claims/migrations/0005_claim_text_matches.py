"""A costly twin of the full-text match operator, for the planner's sake (see ClaimQuerySet.search).

PostgreSQL prices ``tsvector @@ tsquery`` as nearly free, so for a search ordered by id it often
walks the id index and tests row after row: fast for a common word, but hundreds of milliseconds
for words that are each common and rarely together. Adding this function, priced high, makes the
planner weigh the rows a plan must test and take the GIN index whenever the matches are few (at a
million claims the worst search of the benchmark fell from over 400 ms to 25 ms; at cost 100 the
planner still walked the id index at times). Only PostgreSQL has full-text search; elsewhere this
does nothing.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION claims_text_matches(document tsvector, query tsquery) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000
AS $$ BEGIN RETURN document @@ query; END $$
"""
DROP = "DROP FUNCTION IF EXISTS claims_text_matches(tsvector, tsquery)"


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_api_search_and_current_verdict")]

    operations = [migrations.RunPython(create_function, drop_function)]
