"""Similar claims ("already checked?", ``ClaimQuerySet.similar_to``): pg_trgm, and the function that
picks a text's distinctive words for the full-text index to find candidates by.

Measured at a million synthetic claims, trigram indexes could not find the closest claims fast:
claim texts share most of their trigrams, so a GIN ``gin_trgm_ops`` index answered ``text % q`` in
11 s (2.3 s at a similarity threshold of 0.6) and a GiST ``gist_trgm_ops(siglen=256)`` index took
1 to 1.8 s to walk ``ORDER BY text <-> q``. A near-duplicate shares the text's rare words (a place,
a figure); the search index of migration 0004 finds the claims holding those in milliseconds, and
scoring those few hundred with ``similarity()`` takes about 20 ms in all.

``claims_distinctive_terms(text, max_claims)`` is the tsquery, joined by "or", of the words of
``text`` that at most ``max_claims`` claims hold, and in any case of its two rarest words if at most
twice as many hold them: a figure changed by the one who repeats a claim is rare, but the original
does not hold it (with only the rare words, 95 of 100 edited claims found their original first; with
the two rarest as well, 97, in 23 ms; allowing them ten times as many claims, 100, in 54 ms). When no word qualifies, it is the tsquery of all the words joined by
"and". How many claims hold a word comes from the statistics ANALYZE keeps of the search vector
(its most common lexemes and their frequencies): a word not among them is rare. The extension and
the function are created on PostgreSQL only; elsewhere these operations do nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION claims_distinctive_terms(claim_text text, max_claims real) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH lexemes AS (
    SELECT lexeme FROM unnest(tsvector_to_array(to_tsvector('english', claim_text))) AS lexeme
  ), common AS (
    SELECT counts.lexeme, counts.frequency * greatest(tables.reltuples, 0) AS claims
    FROM pg_stats stats
    JOIN pg_class tables ON tables.oid = 'claims_claim'::regclass
    CROSS JOIN unnest(stats.most_common_elems::text::text[], stats.most_common_elem_freqs) AS counts(lexeme, frequency)
    WHERE stats.schemaname = current_schema() AND stats.tablename = 'claims_claim'
      AND stats.attname = 'search_vector'
  ), counted AS (
    SELECT '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''' AS term,
           coalesce(common.claims, 0) AS claims,
           row_number() OVER (ORDER BY coalesce(common.claims, 0), lexeme) AS rarity
    FROM lexemes LEFT JOIN common USING (lexeme)
  ), chosen AS (
    SELECT term, claims <= max_claims OR (rarity <= 2 AND claims <= 2 * max_claims) AS chosen FROM counted
  )
  SELECT (CASE WHEN bool_or(chosen) THEN string_agg(term, ' | ') FILTER (WHERE chosen)
               ELSE string_agg(term, ' & ') END)::tsquery
  FROM chosen
$$
"""
DROP = "DROP FUNCTION IF EXISTS claims_distinctive_terms(text, real)"


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("claims", "0007_imported_verdicts")]

    operations = [TrigramExtension(), migrations.RunPython(create_function, drop_function)]
