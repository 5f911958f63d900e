"""A speaker's slug, left empty, is made from the name as every intake path makes it (``Speaker.slug_for``);
an empty one is refused by the database from now on, so any stored before get theirs first."""

from django.db import migrations, models

from claims.text import ascii_slug


def fill_empty_slugs(apps, schema_editor):
    Speaker = apps.get_model("claims", "Speaker")
    for speaker in Speaker.objects.filter(slug=""):
        speaker.slug = ascii_slug(speaker.name, max_length=200)
        speaker.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_claim_date_covering_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalspeaker",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="Left empty, it is made from the name, as claims proposed from articles and imports make it.",
                max_length=200,
            ),
        ),
        migrations.AlterField(
            model_name="speaker",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="Left empty, it is made from the name, as claims proposed from articles and imports make it.",
                max_length=200,
            ),
        ),
        migrations.RunPython(fill_empty_slugs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="speaker",
            constraint=models.CheckConstraint(condition=~models.Q(slug=""), name="speaker_slug_not_empty"),
        ),
    ]
