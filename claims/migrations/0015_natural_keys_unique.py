"""The keys intake matches records on, unique in the database (0014 merged the copies): a source without a URL
by its title and publisher, a claim by its source and the digest of its text. In a migration of its own, as
0012: PostgreSQL builds no index in a transaction that still holds the data migration's pending trigger events."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0014_merge_duplicate_keys"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.UniqueConstraint(
                models.F("source"),
                django.db.models.functions.text.MD5("text"),
                name="claim_source_text_unique",
                violation_error_message="A claim with this text from this source is already recorded.",
            ),
        ),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.UniqueConstraint(
                condition=models.Q(("url", "")),
                fields=("title", "publisher"),
                name="source_title_publisher_unique",
                violation_error_message="A source with this title and publisher and no URL is already registered.",
            ),
        ),
    ]
