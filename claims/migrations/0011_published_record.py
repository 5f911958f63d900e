"""The published record never changes silently (docs/architecture.md, "Corrections and retractions").

Schema: a verdict can be superseded by a correction, says what a correction changes (kind and
note), keeps the claim as it showed it (``shown``), cites its evidence and records who wrote it;
a claim's fact-check has one address (``Claim.slug``) and a public log of its changes
(``FactCheckEvent``); the methodology page is edited in the admin.

Data: everything readers see today is kept as it is. Of a claim's own published verdicts, the one
readers see as current stays published and the others are superseded; every verdict cites the
evidence its claim has today and shows the claim as it is today; the claim's address is its first
published version's; the log starts with each publication, correction and retraction on record;
each verdict's contributors are its author and whoever changed its text or rating in its history.
"""

import claims.models
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

CONTENT_FIELDS = ("rating_id", "headline", "summary", "body")
LEGACY_CORRECTION_NOTE = "Corrected before this tracker recorded what each correction changed."
PUBLIC = ("published", "superseded", "retracted")
NEW_PERMISSIONS = {
    "editor": ["view_factcheckevent", "view_methodology", "change_methodology"],
    "reviewer": ["view_factcheckevent", "view_methodology"],
}
METHODOLOGY = {
    "introduction": (
        "We check claims made in public by people and organisations with influence: statements of fact "
        "that can be verified against documents, data and the record, not opinions or predictions."
    ),
    "process": (
        "An editor chooses the claims worth checking. A reviewer researches each one, collects the evidence "
        "and writes a verdict with a rating from our scale. A second editor, who wrote none of it, reads the "
        "verdict with its evidence and approves it before it is published."
    ),
    "corrections_policy": (
        "When we get something wrong we say so on the fact-check itself. A correction changes a finding, a "
        "rating or a fact it rests on; an update fixes a typo, a link or wording. Both are listed on the page "
        "with their date and what changed, and earlier versions' ratings stay visible. A fact-check that no "
        "longer stands is retracted: its page stays at the same address with the reason, without a rating."
    ),
    "how_to_request_a_correction": (
        "Write to us with the address of the fact-check and what you believe is wrong, with your sources. "
        "We answer every request and correct what we find wrong."
    ),
}


def shown(claim, topics) -> dict:
    """``Claim.as_shown`` as of this migration."""

    def source(work):
        if work is None:
            return None
        return {
            "id": work.pk,
            "title": work.title,
            "url": work.url,
            "publisher": work.publisher,
            "published_on": work.published_on.isoformat() if work.published_on else None,
            "kind": work.kind,
        }

    speaker = claim.speaker
    return {
        "text": claim.text,
        "is_verbatim": claim.is_verbatim,
        "context": claim.context,
        "claim_date": claim.claim_date.isoformat() if claim.claim_date else None,
        "claim_date_precision": claim.claim_date_precision,
        "speaker": {
            "id": speaker.pk,
            "name": speaker.name,
            "kind": speaker.kind,
            "role": speaker.role,
            "same_as": speaker.same_as,
        },
        "source": source(claim.source),
        "first_appearance": source(claim.first_appearance),
        "topics": topics,
    }


def record_what_readers_saw(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    Verdict = apps.get_model("claims", "Verdict")
    Event = apps.get_model("claims", "FactCheckEvent")
    History = apps.get_model("claims", "HistoricalVerdict")

    Claim.objects.update(public_updated_at=F("updated_at"))
    Claim.objects.filter(
        Exists(Verdict.objects.filter(claim=OuterRef("pk"), publisher_name="", status__in=PUBLIC))
    ).exclude(status="published").update(
        status="published"
    )  # a retraction keeps its page, which its claim's being published makes public

    corrections = Verdict.objects.exclude(corrects=None)
    corrections.update(change_kind="correction")
    corrections.exclude(status="draft").filter(change_note="").update(change_note=LEGACY_CORRECTION_NOTE)

    own_published = Verdict.objects.filter(publisher_name="", status="published")
    current_own = own_published.filter(claim=OuterRef("claim"), pk=OuterRef("claim__current_verdict"))
    latest_own = own_published.filter(claim=OuterRef("claim")).order_by("-published_at", "-pk")
    kept = Coalesce(Subquery(current_own.values("pk")[:1]), Subquery(latest_own.values("pk")[:1]))
    superseded = own_published.annotate(kept=kept).exclude(pk=F("kept")).values("pk")
    Verdict.objects.filter(pk__in=list(superseded.values_list("pk", flat=True))).update(status="superseded")

    first_page = Verdict.objects.filter(claim=OuterRef("pk"), publisher_name="").exclude(slug="")
    Claim.objects.filter(Exists(first_page)).update(
        slug=Subquery(first_page.order_by("published_at", "pk").values("slug")[:1])
    )

    claims = Claim.objects.filter(Exists(Verdict.objects.filter(claim=OuterRef("pk"), status__in=PUBLIC)))
    claims = claims.select_related("speaker", "source", "first_appearance").order_by("pk")
    batch = []
    for claim in claims.iterator(chunk_size=2000):
        topics = [
            {"name": name, "slug": slug} for name, slug in claim.topics.order_by("name").values_list("name", "slug")
        ]
        batch.append((claim.pk, shown(claim, topics)))
        if len(batch) == 2000:
            _keep_shown(Verdict, batch)
            batch = []
    _keep_shown(Verdict, batch)

    events = []
    for verdict in (
        Verdict.objects.filter(publisher_name="", status__in=PUBLIC).order_by("published_at", "pk").iterator()
    ):
        kind = "corrected" if verdict.corrects_id else "published"
        events.append(
            Event(
                claim_id=verdict.claim_id,
                verdict_id=verdict.pk,
                kind=kind,
                note=verdict.change_note if verdict.corrects_id else "",
                happened_at=verdict.published_at,
                by_id=verdict.approved_by_id,
            )
        )
        if verdict.status == "retracted":
            events.append(
                Event(
                    claim_id=verdict.claim_id,
                    verdict_id=verdict.pk,
                    kind="retracted",
                    note=verdict.retraction_reason,
                    happened_at=verdict.retracted_at,
                )
            )
    Event.objects.bulk_create(events, batch_size=5000)

    # Every verdict cites the evidence its claim has today: each page shows what it showed before.
    quote = schema_editor.quote_name
    citations = Verdict.evidence.through._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {quote(citations)} (verdict_id, evidence_id) "
        f"SELECT verdict.id, evidence.id FROM {quote(Verdict._meta.db_table)} verdict "
        f"JOIN {quote(apps.get_model('claims', 'Evidence')._meta.db_table)} evidence "
        "ON evidence.claim_id = verdict.claim_id"
    )

    Contributor = Verdict.contributors.through
    authors = dict(Verdict.objects.exclude(author=None).values_list("pk", "author_id"))
    contributors = set(authors.items())
    previous = {}
    rows = History.objects.order_by("id", "history_date", "history_id").values(
        "id", "history_user_id", "history_type", *CONTENT_FIELDS
    )
    for row in rows.iterator(chunk_size=5000):
        content = tuple(row[name] for name in CONTENT_FIELDS)
        changed = row["history_type"] == "+" or previous.get(row["id"]) != content
        if changed and row["history_type"] != "-" and row["history_user_id"] and row["id"] in authors:
            contributors.add((row["id"], row["history_user_id"]))
        previous[row["id"]] = content
    Contributor.objects.bulk_create(
        [Contributor(verdict_id=verdict, user_id=user) for verdict, user in contributors], batch_size=5000
    )



def write_the_methodology(apps, schema_editor):
    apps.get_model("claims", "Methodology").objects.get_or_create(pk=1, defaults=METHODOLOGY)


def grant_roles_the_new_records(apps, schema_editor):
    """Editors and reviewers read the log of public changes and the methodology; editors edit the methodology."""
    claims_config = apps.get_app_config("claims")
    if getattr(claims_config, "models_module", None) is None:  # the migration state has no models module
        claims_config.models_module = True
    create_permissions(claims_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in NEW_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.add(*Permission.objects.filter(content_type__app_label="claims", codename__in=codenames))


def _keep_shown(Verdict, batch: list[tuple[int, dict]]) -> None:
    """Give each claim's public verdicts the claim as it shows today."""
    by_claim = dict(batch)
    verdicts = list(Verdict.objects.filter(claim__in=by_claim, status__in=PUBLIC).only("pk", "claim_id"))
    for verdict in verdicts:
        verdict.shown = by_claim[verdict.claim_id]
    Verdict.objects.bulk_update(verdicts, ["shown"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0010_speaker_slug_from_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FactCheckEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("published", "Published"),
                            ("corrected", "Corrected"),
                            ("updated", "Updated"),
                            ("retracted", "Retracted"),
                            ("reinstated", "Reinstated"),
                        ],
                        max_length=20,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("happened_at", models.DateTimeField()),
            ],
            options={
                "ordering": ["-happened_at", "-pk"],
                "verbose_name": "public change",
            },
        ),
        migrations.CreateModel(
            name="HistoricalMethodology",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "introduction",
                    models.TextField(
                        help_text="Who checks what, and why. Plain text; blank lines separate paragraphs."
                    ),
                ),
                ("process", models.TextField(help_text="How a claim is chosen, researched, written up and approved.")),
                (
                    "corrections_policy",
                    models.TextField(help_text="When and how published fact-checks are corrected or retracted."),
                ),
                ("how_to_request_a_correction", models.TextField()),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical methodology",
                "verbose_name_plural": "historical methodology",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Methodology",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "introduction",
                    models.TextField(
                        help_text="Who checks what, and why. Plain text; blank lines separate paragraphs."
                    ),
                ),
                ("process", models.TextField(help_text="How a claim is chosen, researched, written up and approved.")),
                (
                    "corrections_policy",
                    models.TextField(help_text="When and how published fact-checks are corrected or retracted."),
                ),
                ("how_to_request_a_correction", models.TextField()),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name_plural": "methodology",
            },
        ),
        migrations.RemoveConstraint(
            model_name="verdict",
            name="verdict_status_valid",
        ),
        migrations.RemoveConstraint(
            model_name="verdict",
            name="verdict_own_published_is_approved",
        ),
        migrations.AddField(
            model_name="claim",
            name="slug",
            field=models.SlugField(
                blank=True,
                db_index=False,
                editable=False,
                help_text="Address of the claim's public fact-check page, set when it is first published.",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="slug",
            field=models.SlugField(
                blank=True,
                db_index=False,
                editable=False,
                help_text="Address of the claim's public fact-check page, set when it is first published.",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="historicalverdict",
            name="change_kind",
            field=models.CharField(
                blank=True,
                choices=[("correction", "Correction"), ("update", "Update")],
                help_text="For a new version of a published fact-check: a correction, or a minor update.",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="historicalverdict",
            name="change_note",
            field=models.TextField(
                blank=True,
                help_text="For a new version of a published fact-check: what it changes and why. Readers see it.",
            ),
        ),
        migrations.AddField(
            model_name="historicalverdict",
            name="shown",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="verdict",
            name="change_kind",
            field=models.CharField(
                blank=True,
                choices=[("correction", "Correction"), ("update", "Update")],
                help_text="For a new version of a published fact-check: a correction, or a minor update.",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="verdict",
            name="change_note",
            field=models.TextField(
                blank=True,
                help_text="For a new version of a published fact-check: what it changes and why. Readers see it.",
            ),
        ),
        migrations.AddField(
            model_name="verdict",
            name="contributors",
            field=models.ManyToManyField(blank=True, editable=False, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="verdict",
            name="evidence",
            field=models.ManyToManyField(
                blank=True,
                help_text="The evidence the verdict rests on; fixed once it goes to review.",
                related_name="cited_by",
                to="claims.evidence",
            ),
        ),
        migrations.AddField(
            model_name="verdict",
            name="shown",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="historicalverdict",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                    ("superseded", "Superseded by a correction"),
                    ("retracted", "Retracted"),
                ],
                default="draft",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="verdict",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                    ("superseded", "Superseded by a correction"),
                    ("retracted", "Retracted"),
                ],
                default="draft",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="factcheckevent",
            name="by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="factcheckevent",
            name="claim",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="factcheck_events", to="claims.claim"
            ),
        ),
        migrations.AddField(
            model_name="factcheckevent",
            name="verdict",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="events", to="claims.verdict"
            ),
        ),
        migrations.AddField(
            model_name="historicalmethodology",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="public_updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="public_updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="historicalverdict",
            name="rating_url",
            field=claims.models.HttpUrlField(
                blank=True,
                help_text="For verdicts imported from another fact-checker: where they define this rating.",
                max_length=2000,
            ),
        ),
        migrations.AddField(
            model_name="verdict",
            name="rating_url",
            field=claims.models.HttpUrlField(
                blank=True,
                help_text="For verdicts imported from another fact-checker: where they define this rating.",
                max_length=2000,
            ),
        ),
        migrations.AlterField(
            model_name="historicalverdict",
            name="slug",
            field=models.SlugField(
                blank=True,
                db_index=False,
                editable=False,
                help_text="The address this version was first published at: its claim's fact-check's, or a redirect to it.",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="verdict",
            name="slug",
            field=models.SlugField(
                blank=True,
                db_index=False,
                editable=False,
                help_text="The address this version was first published at: its claim's fact-check's, or a redirect to it.",
                max_length=100,
            ),
        ),
        migrations.RunPython(record_what_readers_saw, migrations.RunPython.noop),
        migrations.RunPython(write_the_methodology, migrations.RunPython.noop),
        migrations.RunPython(grant_roles_the_new_records, migrations.RunPython.noop),
    ]
