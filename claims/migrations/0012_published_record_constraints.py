"""The constraints and index of the published record (0011), in a migration of their own: PostgreSQL
builds no index in a transaction that still holds the data migration's pending trigger events."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_published_record"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.UniqueConstraint(
                condition=models.Q(("slug", ""), _negated=True), fields=("slug",), name="claim_slug_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["draft", "in_review", "published", "superseded", "retracted"])),
                name="verdict_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.UniqueConstraint(
                condition=models.Q(("publisher_name", ""), ("status", "published")),
                fields=("claim",),
                name="verdict_one_published_own_per_claim",
                violation_error_message="The claim already has a published fact-check of ours: correct it instead.",
            ),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("change_kind", ""), ("corrects__isnull", True)),
                    models.Q(
                        ("corrects__isnull", False),
                        models.Q(("change_kind", ""), _negated=True),
                        models.Q(("status", "draft"), models.Q(("change_note", ""), _negated=True), _connector="OR"),
                    ),
                    _connector="OR",
                ),
                name="verdict_correction_has_note",
                violation_error_message="A correction says what kind it is and, once submitted, what it changes.",
            ),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("publisher_name", ""), _negated=True),
                    models.Q(("status__in", ["published", "superseded", "retracted"]), _negated=True),
                    models.Q(("approved_by__isnull", False), ("published_at__isnull", False)),
                    _connector="OR",
                ),
                name="verdict_own_published_is_approved",
                violation_error_message="A published verdict of our own needs an approver and a publication time.",
            ),
        ),
        migrations.AddConstraint(
            model_name="methodology",
            constraint=models.CheckConstraint(condition=models.Q(("pk", 1)), name="methodology_single_row"),
        ),
        migrations.AddIndex(
            model_name="factcheckevent",
            index=models.Index(fields=["claim", "-happened_at"], name="factcheck_event_claim"),
        ),
        migrations.AddConstraint(
            model_name="factcheckevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["published", "corrected", "updated", "retracted", "reinstated"])),
                name="factcheck_event_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="factcheckevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "published"), models.Q(("note", ""), _negated=True), _connector="OR"),
                name="factcheck_event_has_note",
                violation_error_message="Readers are told why a fact-check was corrected, retracted or reinstated.",
            ),
        ),
        ]
