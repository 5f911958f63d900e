"""The default rating scale: five ordinal labels from True to False, and two that are not on the scale.

Newsrooms edit the scale in the admin afterwards; this migration only creates labels that are missing.
"""

from django.db import migrations

DEFAULT_SCALE = [
    ("True", "true", 5, "The statement is accurate and nothing significant is missing.", "#1a9850"),
    ("Mostly true", "mostly-true", 4, "The statement is accurate but needs clarification or more information.", "#91cf60"),
    ("Half true", "half-true", 3, "The statement is partially accurate but leaves out important details.", "#fee08b"),
    ("Mostly false", "mostly-false", 2, "The statement has an element of truth but ignores facts that change the impression.", "#fc8d59"),
    ("False", "false", 1, "The statement is not accurate.", "#d73027"),
    ("Misleading", "misleading", None, "Accurate elements are presented so as to give a false impression.", "#8073ac"),
    ("Unproven", "unproven", None, "The evidence available neither supports nor refutes the statement.", "#999999"),
]


def create_scale(apps, schema_editor):
    Rating = apps.get_model("claims", "Rating")
    for label, slug, value, description, color in DEFAULT_SCALE:
        Rating.objects.get_or_create(
            slug=slug, defaults={"label": label, "value": value, "description": description, "color": color}
        )


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [migrations.RunPython(create_scale, migrations.RunPython.noop)]
