"""The newsroom's day in a real browser: triage, evidence, a draft, four eyes, publication.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; Playwright's own browser
downloads are never used. Without Chromium the test is skipped, except in CI
(REQUIRE_BROWSER=1), where a missing browser is a failure.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from claims.intake.seed import load_seed
from claims.models import Claim, Evidence, Verdict
from tests.factories import EvidenceFactory, UserFactory, VerdictFactory, rating

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
CLAIM_TEXT = "concerns maintenance of equipment delivered there"

if not CHROMIUM.exists() and not os.environ.get("REQUIRE_BROWSER"):
    pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("data_migrations")]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Without the background-networking flags Chromium keeps calling Google's hosts, which this
    # network refuses; the sandbox needs a non-root user, which CI is not.
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def csp_violations(page: Page):
    """Fail any browser test whose pages break the Content-Security-Policy: Chromium reports each refusal."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    yield violations
    assert violations == []


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Newsroom desk")).to_be_visible()


def log_out(page: Page) -> None:
    page.locator("#logout-form button").click()
    expect(page.get_by_text("Logged out")).to_be_visible()


def run_on_claim(page: Page, action: str) -> None:
    row = page.locator("#result_list tbody tr", has_text=CLAIM_TEXT)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(action)
    page.get_by_role("button", name="Go").click()


def open_verdict_move(page: Page, move: str) -> None:
    page.locator("#workflow-moves").get_by_role("link", name=move).click()
    page.locator("#content").get_by_role("button", name=move).click()


def test_a_claim_goes_from_the_queue_to_a_published_verdict_under_four_eyes(live_server, page: Page):
    load_seed(Path(settings.BASE_DIR) / "seeds" / "newsweek-2019-07-05-pompeo-venezuela.yaml")
    UserFactory(username="edna", role="editor")
    UserFactory(username="eli", role="editor")
    # A senior reviewer who is also an editor: the role allows publishing, the four-eyes rule must not.
    rex = UserFactory(username="rex", role="reviewer")
    rex.groups.add(Group.objects.get(name="editor"))
    base = live_server.url

    # An editor triages the seeded claim and assigns it.
    log_in(page, base, "edna")
    page.goto(f"{base}/admin/claims/claim/")
    expect(page.locator("#result_list")).to_contain_text("Sergei Ryabkov")
    expect(page.locator("#result_list")).to_contain_text("2019-07-05")
    run_on_claim(page, "mark_checkworthy")
    expect(page.locator(".messagelist")).to_contain_text("Marked check-worthy")
    run_on_claim(page, "assign")
    page.get_by_label("Assignee").select_option(label="rex")
    page.get_by_role("button", name="Assign claims").click()
    expect(page.locator(".messagelist")).to_contain_text("Assigned to rex")
    log_out(page)

    # The reviewer adds evidence and a draft verdict, and submits it.
    log_in(page, base, "rex")
    page.goto(f"{base}/admin/claims/claim/?assignee=me")
    page.get_by_role("link", name=re.compile("concerns maintenance")).click()
    page.get_by_role("button", name="Add another Evidence").click()
    page.locator("#id_evidence-0-title").fill("Tass: Ryabkov on Russian specialists in Venezuela")
    page.locator("#id_evidence-0-url").fill("https://tass.example/ryabkov-venezuela")
    page.locator("#id_evidence-0-stance").select_option("context")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.get_by_role("link", name="Draft a verdict on this claim").click()
    page.locator("#id_rating").select_option(label="Unproven")
    page.locator("#id_headline").fill("Russia's account of its troops cannot be verified")
    page.locator("#id_summary").fill("No independent source confirms what the Russian specialists do.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    open_verdict_move(page, "Submit for review")
    expect(page.locator(".messagelist")).to_contain_text("Submitted for review: “Russia's account of its troops")

    # The author's own attempt to publish is refused.
    open_verdict_move(page, "Publish")
    expect(page.locator(".messagelist")).to_contain_text("another editor must approve it")
    log_out(page)

    # A second editor publishes it.
    log_in(page, base, "eli")
    page.goto(f"{base}/admin/claims/verdict/")
    page.get_by_role("link", name="Russia's account of its troops cannot be verified").click()
    expect(page.locator("body")).to_contain_text("Tass: Ryabkov on Russian specialists in Venezuela")
    open_verdict_move(page, "Publish")
    expect(page.locator(".messagelist")).to_contain_text("Published “Russia's account of its troops")

    verdict = Verdict.objects.select_related("claim", "author", "approved_by").get()
    assert (verdict.status, verdict.author.username, verdict.approved_by.username) == ("published", "rex", "eli")
    assert verdict.claim.text == CLAIM_TEXT
    assert verdict.claim.status == Claim.Status.PUBLISHED
    assert Evidence.objects.get().added_by == rex


AXE_CORE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def serious_accessibility_violations(page: Page) -> list[str]:
    """What axe-core (from npm, injected into the page) finds of serious or critical impact."""
    if not AXE_CORE.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{AXE_CORE} is missing: run `npm ci` (make test does).")
        pytest.skip("axe-core is not installed (npm ci)")
    # Evaluated through the DevTools protocol, which the page's CSP does not govern, unlike an added <script>.
    page.evaluate(AXE_CORE.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}, {len(violation['nodes'])} element(s)"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_the_public_reads_a_fact_check_and_the_verdict_report(live_server, page: Page, output_path):
    load_seed(Path(settings.BASE_DIR) / "seeds" / "newsweek-2019-07-05-pompeo-venezuela.yaml")
    reviewer = UserFactory(username="rex", role="reviewer")
    ratings = ["false", "false", "true", "misleading", "half-true", "false"]
    for claim, slug in zip(Claim.objects.order_by("pk")[: len(ratings)], ratings, strict=True):
        verdict = VerdictFactory(published=True, claim=claim, author=reviewer, rating=rating(slug))
        EvidenceFactory(claim=claim, title=f"Evidence on claim {claim.pk}")
    verdict = Verdict.objects.select_related("claim").order_by("pk").first()
    base = live_server.url
    screenshots = Path(output_path)
    screenshots.mkdir(parents=True, exist_ok=True)

    page.goto(f"{base}/factchecks/{verdict.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(verdict.headline)
    expect(page.locator("blockquote").first).to_contain_text(verdict.claim.text)
    embedded = page.locator('script[type="application/ld+json"]').text_content()
    record = json.loads(embedded)
    assert (record["@type"], record["claimReviewed"]) == ("ClaimReview", verdict.claim.text)
    assert record["url"].endswith(f"/factchecks/{verdict.slug}/")
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=screenshots / "fact-check.png", full_page=True)

    page.goto(f"{base}/reports/verdicts/")
    expect(page.locator("#total-factchecks")).to_have_text("6")
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(3)
    for index in range(3):
        box = charts.nth(index).bounding_box()
        assert box["width"] > 50
        assert box["height"] > 20
    drawn = page.locator('svg.chart rect[fill^="url(#rating-"]')
    assert drawn.count() >= 6
    assert drawn.first.bounding_box()["width"] > 0
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=screenshots / "report.png", full_page=True)

    # What "Save as PDF" prints: the charts without the form and the site's navigation.
    page.emulate_media(media="print")
    expect(page.locator(".report-filters")).to_be_hidden()
    expect(page.locator("svg.chart").first).to_be_visible()
    page.screenshot(path=screenshots / "report-print.png", full_page=True)
    page.evaluate("document.documentElement.style.filter = 'grayscale(1)'")
    page.screenshot(path=screenshots / "report-print-black-and-white.png", full_page=True)


def test_the_pages_outside_the_daily_workflow_run_under_the_content_security_policy(
    live_server, page: Page, csp_violations
):
    """The CSP, as sent, lets every kind of page work; csp_violations fails the test on any refusal."""
    verdict = VerdictFactory(published=True)
    UserFactory(username="ada", is_staff=True, is_superuser=True)
    base = live_server.url
    blocked = []
    page.on("pageerror", lambda error: blocked.append(str(error)))

    page.goto(f"{base}/factchecks/")
    expect(page.get_by_role("link", name=verdict.headline)).to_be_visible()
    page.goto(f"{base}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Fact-check tracker API")
    log_in(page, base, "ada")
    page.goto(f"{base}/api/v1/claims/")
    expect(page.locator(".response-info")).to_contain_text(verdict.claim.text)
    for path in (
        f"/admin/claims/verdict/{verdict.pk}/change/",
        f"/admin/claims/claim/{verdict.claim.pk}/history/",
        "/admin/knox/authtoken/",
        "/admin/axes/accessattempt/",
    ):
        page.goto(f"{base}{path}")
        expect(page.locator("#content")).to_be_visible()
    page.goto(f"{base}/admin/claims/claim/{verdict.claim.pk}/change/")
    assert page.evaluate("typeof django !== 'undefined' && typeof django.jQuery === 'function'")  # admin scripts ran
    page.goto(f"{base}/api/v1/topics/")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    # An injected inline script is what the policy exists to stop.
    page.goto(f"{base}/factchecks/")
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.injected = true';
                   document.body.append(s); }"""
    )
    assert page.evaluate("window.injected === undefined")
    assert any("inline script" in violation for violation in csp_violations)
    csp_violations.clear()
    assert blocked == []


def test_a_reader_follows_corrections_and_a_retraction_and_an_editor_the_timeline(live_server, page: Page, output_path):
    from claims import workflow

    reviewer = UserFactory(username="rex", role="reviewer")
    edna, eli = UserFactory(username="edna", role="editor"), UserFactory(username="eli", role="editor")
    first = VerdictFactory(published=True, author=reviewer, claim__assignee=reviewer, headline="No, it fell")
    EvidenceFactory(claim=first.claim, title="Census 2019")
    correction = workflow.verdict_correct(verdict=first, user=reviewer, reason="The census was revised in 2020.")
    correction = workflow.verdict_update(verdict=correction, user=reviewer, changes={"headline": "Mostly no, it fell"})
    correction = workflow.verdict_publish(
        verdict=workflow.verdict_submit(verdict=correction, user=reviewer), editor=edna
    )
    base = live_server.url
    screenshots = Path(output_path)
    screenshots.mkdir(parents=True, exist_ok=True)

    page.goto(f"{base}/factchecks/{first.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mostly no, it fell")
    history = page.locator("#changes")
    expect(history).to_contain_text("Corrected on")
    expect(history).to_contain_text("The census was revised in 2020.")
    expect(history).to_contain_text("No, it fell")  # the earlier version, with its rating
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=screenshots / "fact-check-corrected.png", full_page=True)

    page.get_by_role("link", name="our methodology").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How we check claims")
    expect(page.locator("#rating-false")).to_contain_text("False")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshots / "methodology-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    workflow.verdict_retract(verdict=correction, editor=eli, reason="The census figures were withdrawn.")
    page.goto(f"{base}/factchecks/{first.slug}/")
    expect(page.get_by_role("note")).to_contain_text("This fact-check was retracted")
    expect(page.get_by_role("note")).to_contain_text("The census figures were withdrawn.")
    expect(page.locator(".rating-badge")).to_have_count(0)
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=screenshots / "fact-check-retracted-phone.png", full_page=True)

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, base, "edna")
    page.goto(f"{base}/admin/claims/claim/{first.claim_id}/change/")
    page.get_by_role("link", name="Timeline").click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Retract: The census figures were withdrawn.")
    expect(timeline).to_contain_text("Correct: The census was revised in 2020.")
    expect(timeline).to_contain_text("Status: Published → Retracted")
    page.screenshot(path=screenshots / "claim-timeline.png", full_page=True)
