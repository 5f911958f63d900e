"""``export_verdicts``: the API's exports from the command line, with the same filters by name."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import SourceFactory, VerdictFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_fact_checks():
    on_wire = VerdictFactory(published=True, claim__source=SourceFactory(publisher="Wire Service"))
    elsewhere = VerdictFactory(published=True)
    draft = VerdictFactory(headline="Draft headline")
    return on_wire, elsewhere, draft


def test_it_writes_each_format_to_a_file(tmp_path, two_fact_checks):
    on_wire, elsewhere, _ = two_fact_checks
    for name in ("csv", "json", "claimreview"):
        output = tmp_path / f"export.{name}"
        call_command("export_verdicts", "--format", name, "--output", str(output))
        text = output.read_text(encoding="utf-8")
        assert on_wire.claim.text in text
        assert elsewhere.claim.text in text
        assert "Draft headline" not in text
    assert len(json.loads((tmp_path / "export.claimreview").read_text())) == 2
    assert list((tmp_path).glob(".*.partial")) == []


def test_it_takes_the_api_filters_by_name_with_dashes_or_underscores(tmp_path, two_fact_checks):
    on_wire, _, _ = two_fact_checks
    output = tmp_path / "wire.csv"
    call_command("export_verdicts", "--format", "csv", "--publisher", "Wire Service", "--output", str(output))
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    assert [int(row["verdict_id"]) for row in rows] == [on_wire.pk]
    call_command("export_verdicts", "--format=csv", "--claim-date-after=2030-01-01", f"--output={output}")
    assert output.read_text().count("\n") == 1  # the header only


def test_it_writes_to_standard_output_without_progress_when_piped(capfdbinary, two_fact_checks):
    call_command("export_verdicts", "--format", "json")
    captured = capfdbinary.readouterr()
    assert len(json.loads(captured.out)) == 2
    assert captured.err == b""


def test_it_shows_progress_on_a_terminal(tmp_path, two_fact_checks, terminal):
    call_command("export_verdicts", "--format", "csv", "--output", str(tmp_path / "x.csv"), stderr=terminal)
    assert terminal.getvalue() == "\rverdicts 2/2\n"


def test_it_exports_what_a_named_user_may_see(tmp_path, two_fact_checks, editor):
    output = tmp_path / "drafts.csv"
    call_command("export_verdicts", "--format", "csv", "--status", "draft", "--output", str(output))
    assert "Draft headline" not in output.read_text()
    call_command("export_verdicts", "--format", "csv", "--status", "draft", "--user", "edna", "--output", str(output))
    assert "Draft headline" in output.read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "xml"], "invalid choice: 'xml'"),
        (["--format", "csv", "--speeker", "1"], "unrecognized arguments: --speeker"),
        (["--format", "csv", "--speaker", "abc"], "speaker: Enter a whole number."),
        (["--format", "csv", "--published_after", "2019-02-30"], "published: Enter a valid date."),
        (["--format", "csv", "--user", "nobody"], "There is no user 'nobody'."),
    ],
)
def test_bad_arguments_are_refused_with_one_clear_line(tmp_path, arguments, message):
    output = tmp_path / "kept.csv"
    output.write_text("an earlier export")
    with pytest.raises(CommandError, match=message):
        call_command("export_verdicts", *arguments, "--output", str(output))
    assert output.read_text() == "an earlier export"


def test_an_unwritable_output_is_a_clear_error(tmp_path, two_fact_checks):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_verdicts", "--format", "csv", "--output", str(tmp_path / "missing" / "x.csv"))
