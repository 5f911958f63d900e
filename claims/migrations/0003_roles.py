"""The newsroom's roles as groups (docs/architecture.md, "The workflow").

Editors triage, assign, publish and retract; reviewers add claims, evidence and draft verdicts;
researchers read published material through the API and get no admin permissions. Members of the
editor and reviewer groups also need "staff status" to log in to the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE = ["source", "speaker", "topic", "claim", "evidence", "verdict"]
READABLE = [*EDITABLE, "rating"]

ROLE_PERMISSIONS = {
    "editor": [
        *(f"view_{model}" for model in READABLE),
        *(f"add_{model}" for model in EDITABLE),
        *(f"change_{model}" for model in EDITABLE),
        "delete_evidence",
        "triage_claim",
        "assign_claim",
        "publish_verdict",
        "retract_verdict",
    ],
    "reviewer": [
        *(f"view_{model}" for model in READABLE),
        *(f"add_{model}" for model in EDITABLE),
        *(f"change_{model}" for model in EDITABLE),
    ],
    "researcher": [],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    claims_config = apps.get_app_config("claims")
    if getattr(claims_config, "models_module", None) is None:  # the migration state has no models module
        claims_config.models_module = True
    create_permissions(claims_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Role {role} names unknown permissions: {sorted(missing)}")
        group.permissions.set(permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_default_rating_scale"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
