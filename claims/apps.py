from django.apps import AppConfig
from django.db.backends.signals import connection_created


def register_sqlite_functions(sender, connection, **kwargs):
    """Give SQLite the trigram similarity that PostgreSQL's pg_trgm has (``ClaimQuerySet.similar_to``)."""
    if connection.vendor == "sqlite":
        from claims.models import trigram_similarity

        connection.connection.create_function("claims_trigram_similarity", 2, trigram_similarity, deterministic=True)


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Claims and fact-checks"

    def ready(self):
        connection_created.connect(register_sqlite_functions)
