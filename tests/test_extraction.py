"""Claim extraction: sentences, who said what, when, how check-worthy, and its quality on the seed article."""

import datetime

import pytest

from bench.extraction import SEED_TARGETS, quality, seed_outcome
from claims.intake.extraction import (
    DAY,
    MONTH,
    THRESHOLD,
    YEAR,
    extract,
    find_date,
    headline,
    score_features,
    split_sentences,
)

PUBLISHED = datetime.date(2024, 5, 16)  # a Thursday

# An invented article, in none of the seed article's words, to show the patterns are not tuned to one text.
ARTICLE = """\
City council passes record budget as mayor defends tax rise

The Springfield city council approved a $4.2 billion budget on Tuesday, the largest in the city's history.

"We have cut waste by 12 percent while hiring 300 new teachers," Mayor Jane R. Holloway said at a news conference.

"Our schools were the worst-funded in the state for a decade," she continued.

Council member Tom Baker told the Springfield Gazette that property taxes rose by 3 percent in March.

According to the state auditor, the city spent $18 million on consultants in 2023.

Local business owners called the plan a "reckless gamble" with public money.

Residents say the new bus lanes have doubled traffic on Main Street.

The budget will probably be a turning point for Springfield, some hope.
"""


# Typographic quotes, an apposition and a title before the name, as wire copy has them.
WIRE_STORY = """\
WASHINGTON \u2014 The Senate voted 52-48 on Wednesday to reject the bill.

\u201cThis bill would have cost American families $2,000 a year,\u201d Sen. John A. Miller, R-Texas, said on Wednesday.

Mr. Miller added that gasoline prices had risen 30 percent since January.

\u201cWe cut emissions by 12 percent in 2023 alone,\u201d said Democratic leader Sarah Chen in a statement.

Environmental groups called the vote a \u201cbetrayal of future generations.\u201d
"""


def candidates(text: str, **options) -> list:
    return extract(text, published_on=PUBLISHED, publisher="Example News", threshold=0, **options)


def by_text(text: str, fragment: str):
    return next(c for c in candidates(text) if fragment in c.text)


class TestSentences:
    def test_it_splits_sentences_at_full_stops_question_and_exclamation_marks(self):
        assert split_sentences("Prices rose. Did wages? They did not!") == [
            "Prices rose.",
            "Did wages?",
            "They did not!",
        ]

    @pytest.mark.parametrize(
        "text",
        [
            "The U.S. Secretary of State spoke in Caracas.",
            "Mr. Smith and Dr. Jones met on Jan. 5 in the capital.",
            "The book by J. R. R. Tolkien sold 150 million copies.",
            "Shares of Acme Inc. fell 4 percent.",
        ],
    )
    def test_it_does_not_split_at_abbreviations_and_initials(self, text):
        assert split_sentences(text) == [text]

    def test_it_splits_after_an_abbreviation_that_ends_a_sentence(self):
        assert split_sentences("Troops left the U.S. The ministry confirmed it.") == [
            "Troops left the U.S.",
            "The ministry confirmed it.",
        ]

    def test_it_keeps_a_quote_of_several_sentences_in_one_piece(self):
        text = '"Taxes went up. Services went down," she said. The vote is on Monday.'
        assert split_sentences(text) == ['"Taxes went up. Services went down," she said.', "The vote is on Monday."]

    def test_it_keeps_a_quote_that_runs_on_to_the_next_paragraph_within_its_own(self):
        text = '"We built 40 schools. We hired 900 teachers.\n"And we are not done."'
        assert split_sentences(text) == ['"We built 40 schools. We hired 900 teachers.', '"And we are not done."']

    def test_it_treats_each_line_as_a_paragraph(self):
        assert split_sentences("Headline without stop\n\nFirst sentence.") == [
            "Headline without stop",
            "First sentence.",
        ]

    def test_it_reads_the_headline_only_when_the_first_line_is_one(self):
        assert headline(ARTICLE) == "City council passes record budget as mayor defends tax rise"
        assert headline("The council met on Monday.\nIt voted.") == ""


class TestAttribution:
    def test_it_finds_x_said_after_a_quote_and_keeps_the_quoted_words_verbatim(self):
        quote = by_text(ARTICLE, "cut waste")
        assert quote.text == "We have cut waste by 12 percent while hiring 300 new teachers"
        assert (quote.speaker, quote.speaker_kind, quote.is_verbatim) == ("Jane R. Holloway", "person", True)
        assert quote.context.endswith("Mayor Jane R. Holloway said at a news conference.")

    def test_it_finds_said_x(self):
        found = by_text('"Unemployment fell to 4 percent last year," said Maria Lopez, the labour minister.', "Unempl")
        assert (found.speaker, found.is_verbatim) == ("Maria Lopez", True)

    def test_it_finds_x_told_an_outlet_that(self):
        found = by_text(ARTICLE, "taxes rose")
        assert found.speaker == "Tom Baker"
        assert found.text == "Property taxes rose by 3 percent in March"
        assert not found.is_verbatim

    def test_it_finds_according_to_x(self):
        found = by_text(ARTICLE, "consultants")
        assert found.speaker == "State auditor"
        assert found.text == "The city spent $18 million on consultants in 2023"

    def test_it_turns_x_called_y_a_z_into_the_statement_y_was_a_z(self):
        found = by_text(ARTICLE, "reckless gamble")
        assert (found.speaker, found.speaker_kind) == ("Local business owners", "group")
        assert found.text == 'The plan was a "reckless gamble" with public money.'

    def test_it_gives_a_quote_continued_by_he_continued_to_the_last_speaker(self):
        found = by_text(ARTICLE, "worst-funded")
        assert (found.speaker, found.is_verbatim) == ("Jane R. Holloway", True)

    def test_it_resolves_pronouns_to_the_last_named_speaker(self):
        text = (
            "Senator Ana Ruiz said the bridge cost $40 million. "
            "Officials at the Transport Department said the bridge opened in 2020. "
            "She added that it carries 50,000 cars a day."
        )
        assert by_text(text, "50,000").speaker == "Ana Ruiz"

    def test_it_gives_a_paragraph_that_only_quotes_to_the_last_speaker(self):
        text = 'Mayor Tom Reyes said on Monday that crime fell.\n"Murders dropped by a third in 2023."'
        assert by_text(text, "Murders").speaker == "Tom Reyes"

    def test_it_uses_a_surname_alone_for_the_full_name_given_earlier(self):
        text = "Finance Minister Rosa Keller presented the budget. Keller said the deficit fell to 2 percent."
        assert by_text(text, "deficit").speaker == "Rosa Keller"

    def test_it_gives_statements_in_the_articles_own_voice_to_the_publisher(self):
        found = by_text(ARTICLE, "$4.2 billion")
        assert (found.speaker, found.speaker_kind, found.is_verbatim) == ("Example News", "organization", False)

    def test_it_does_not_take_declared_himself_or_called_on_for_speech(self):
        text = "Guzman declared himself the winner in 2022 and called on rivals to concede."
        assert by_text(text, "Guzman").speaker == "Example News"

    def test_it_gives_a_photo_caption_to_the_agency_of_its_credit_line(self):
        text = "The minister is pictured in Lima on March 3, 2024. JANE DOE/AFP/Getty Images"
        found = by_text(text, "pictured")
        assert (found.speaker, found.claim_date) == ("AFP", datetime.date(2024, 3, 3))

    def test_it_names_anonymous_sources_and_groups_by_their_kind(self):
        text = (
            "An unnamed official told reporters that 200 troops landed at the airport. "
            "Residents say prices doubled in a year."
        )
        assert by_text(text, "troops").speaker_kind == "anonymous"
        assert by_text(text, "doubled").speaker_kind == "group"

    def test_it_reads_typographic_quotes_and_steps_over_an_apposition(self):
        found = by_text(WIRE_STORY, "American families")
        assert (found.text, found.speaker, found.is_verbatim) == (
            "This bill would have cost American families $2,000 a year",
            "John A. Miller",
            True,
        )

    def test_it_ends_said_x_where_the_circumstances_begin(self):
        assert by_text(WIRE_STORY, "emissions").speaker == "Sarah Chen"

    def test_it_keeps_the_quote_of_x_called_y_a_z_in_its_statement(self):
        found = by_text(WIRE_STORY, "betrayal")
        assert found.text == "The vote was a \u201cbetrayal of future generations.\u201d"
        assert not found.is_verbatim

    def test_it_calls_a_person_by_the_full_name_given_earlier(self):
        assert by_text(WIRE_STORY, "prices had risen").speaker == "John A. Miller"

    def test_it_leaves_short_scare_quotes_inside_the_statement(self):
        found = by_text('The report called the figures "deeply flawed" in 2023.', "flawed")
        assert not found.is_verbatim


def speaker_of_statement(text: str, fragment: str) -> tuple[str, str]:
    found = by_text(text, fragment)
    return found.speaker, found.speaker_kind


class TestAttributionForms:
    """Attribution as news writing has it, in sentences written for these tests."""

    @pytest.mark.parametrize(
        "sentence",
        [
            "The clinic treated 4,000 patients last year, Patel said.",
            "The clinic treated 4,000 patients last year, said Patel.",
            "Patel said the clinic treated 4,000 patients last year.",
            "Patel told the Gazette that the clinic treated 4,000 patients last year.",
            "Patel has said that the clinic treated 4,000 patients last year.",
            "Yet Patel insisted that the clinic treated 4,000 patients last year.",
            "Patel reiterated that the clinic treated 4,000 patients last year.",
            "Patel testified that the clinic treated 4,000 patients last year.",
            "Patel stressed that the clinic treated 4,000 patients last year.",
            "Patel pointed out that the clinic treated 4,000 patients last year.",
            "Patel tweeted that the clinic treated 4,000 patients last year.",
            "The clinic treated 4,000 patients last year, according to Patel.",
            "The clinic, according to Patel, treated 4,000 patients last year.",
            "The clinic treated 4,000 patients last year, Patel wrote in a blog post.",
        ],
    )
    def test_it_finds_the_speaker_before_after_or_around_the_statement(self, sentence):
        text = f"Health Minister Priya Patel visited Leeds. {sentence}"
        assert speaker_of_statement(text, "4,000 patients") == ("Priya Patel", "person")

    def test_it_reads_a_participle_as_the_subjects_words_and_keeps_the_action_in_the_publishers_voice(self):
        text = "The airline cancelled 40 flights on Sunday, citing a strike by baggage handlers at its hub."
        assert speaker_of_statement(text, "strike by baggage") == ("Airline", "organization")
        assert speaker_of_statement(text, "cancelled 40 flights") == ("Example News", "organization")

    def test_it_steps_over_a_long_apposition_to_the_name_that_opens_the_clause(self):
        text = (
            "Dana Whitfield, a senior analyst at the Harbour Institute, a think tank in Bristol that studies "
            "shipping, told the Gazette that freight costs doubled in 2023."
        )
        assert speaker_of_statement(text, "costs doubled") == ("Dana Whitfield", "person")

    def test_it_keeps_a_long_institutional_name_whole(self):
        text = "The European Centre for Disease Prevention and Control said that 12 countries reported cases."
        assert speaker_of_statement(text, "12 countries") == (
            "European Centre for Disease Prevention and Control",
            "organization",
        )

    def test_it_gives_a_relayed_statement_to_whoever_made_it(self):
        text = "The fire destroyed 30 homes, the regional fire service said, according to Reuters."
        assert speaker_of_statement(text, "30 homes") == ("Regional fire service", "organization")
        relayed = 'He acknowledged the delays but said the line "carried 2 million passengers in May," Tass reported.'
        assert by_text(f"Transport Minister Oleg Sorin spoke in Kazan. {relayed}", "2 million").speaker == "Oleg Sorin"

    def test_it_gives_a_split_quote_to_its_speaker(self):
        text = '"The plant employs 900 people," Sorin said, "and exports half of what it makes."'
        assert {c.speaker for c in candidates(text) if c.is_verbatim} == {"Sorin"}

    def test_it_never_takes_the_audience_of_told_for_the_speaker(self):
        text = (
            "Colonel Amy Lund, a spokesperson for the coalition, told Gazette correspondent Ben Ortiz on Monday "
            "that the convoy carried 40 tonnes of food."
        )
        assert by_text(text, "40 tonnes").speaker == "Amy Lund"

    def test_testimony_is_the_witnesss_never_the_accuseds(self):
        text = "Ray Webb was charged in June. The victim's mother testified that Webb grabbed her daughter in May."
        assert speaker_of_statement(text, "grabbed her daughter") == ("Victim's mother", "anonymous")

    def test_a_passive_report_is_the_publishers_to_tell(self):
        text = "A fourth case was reported in a 60-year-old farmer on Sunday."
        assert speaker_of_statement(text, "fourth case") == ("Example News", "organization")

    @pytest.mark.parametrize(
        "sentence",
        [
            "Shares fell in U.S. states where the tax applies.",  # "states" is a noun here
            "Voters rejected the state government's plan in 2022.",
            "The agency added 300 inspectors in 2022.",  # "added" takes an object, not a statement
            "The group maintains an office in Doha.",
            "Who said the budget rose by 9 percent?",  # a question asserts nothing
        ],
    )
    def test_it_takes_no_speaker_from_words_that_only_look_like_speech(self, sentence):
        assert all(c.speaker == "Example News" for c in candidates(sentence))

    @pytest.mark.parametrize(
        "sentence",
        [
            "Yet Patel has always said the clinic treated 4,000 patients last year.",
            "But Patel said the clinic treated 4,000 patients last year.",
            "As Patel reports, the clinic treated 4,000 patients last year.",
        ],
    )
    def test_it_never_stores_a_conjunction_or_an_auxiliary_as_part_of_a_name(self, sentence):
        text = f"Health Minister Priya Patel visited Leeds. {sentence}"
        assert by_text(text, "4,000 patients").speaker == "Priya Patel"

    def test_a_study_by_a_body_is_the_bodys_finding_dated_by_the_study(self):
        text = (
            "As we have reported, a June 2023 study by the Institute for Transport and Housing Research, a think "
            "tank in Leeds, found that, by its own measure, rents rose 14 percent in two years."
        )
        found = by_text(text, "rents rose")
        assert (found.speaker, found.speaker_kind) == ("Institute for Transport and Housing Research", "organization")
        assert (found.claim_date, found.claim_date_precision) == (datetime.date(2023, 6, 1), MONTH)

    def test_a_clause_the_attribution_does_not_cover_stays_in_the_publishers_voice(self):
        text = (
            "Two bridges were closed in Cork after the floods, though experts say the damage is limited to 3 pillars."
        )
        assert speaker_of_statement(text, "Two bridges were closed") == ("Example News", "organization")
        assert speaker_of_statement(text, "limited to 3") == ("Experts", "group")

    def test_a_clause_with_its_own_speaker_keeps_it(self):
        text = (
            "The ministry dismissed the figures as \u201cinvented,\u201d and both auditors and nurses at the "
            "hospital told the Gazette that 40 beds stood empty."
        )
        assert speaker_of_statement(text, "dismissed the figures") == ("Ministry", "organization")
        assert by_text(text, "40 beds").speaker != "Ministry"

    def test_what_a_when_clause_tells_is_the_publishers(self):
        text = (
            "When Mayor Ines Okafor first proposed the levy last week, she said the city had lost 200 jobs to "
            "the strike."
        )
        assert speaker_of_statement(text, "first proposed the levy") == ("Example News", "organization")
        assert speaker_of_statement(text, "200 jobs") == ("Ines Okafor", "person")

    def test_a_relative_clause_about_a_name_is_background_not_the_speakers_words(self):
        text = (
            "Senator Paul Reyes said he would attend a meeting of the Western Farmers League, which gave $2 "
            "million to his 2020 campaign."
        )
        background = by_text(text, "which gave $2 million")
        assert (background.speaker, background.text) == (
            "Example News",
            "Western Farmers League, which gave $2 million to his 2020 campaign",
        )
        assert "which gave" not in by_text(text, "attend a meeting").text

    def test_a_quote_no_one_can_be_given_is_not_proposed(self):
        assert candidates('"We have built 40 schools since 2020 and hired 900 teachers."') == []


class TestSpeakersAcrossTheArticle:
    def test_a_role_is_the_person_who_held_it(self):
        text = (
            "Republican Gov. Eric Holcomb signed the budget in April. "
            "The governor said the state spent $2 billion on schools."
        )
        assert speaker_of_statement(text, "$2 billion") == ("Eric Holcomb", "person")

    def test_the_group_an_apposition_named_is_the_group(self):
        text = (
            "The group, Riverside Tenants Union, formed in March. "
            "The group said 300 families received eviction notices."
        )
        assert speaker_of_statement(text, "300 families") == ("Riverside Tenants Union", "organization")

    def test_an_acronym_is_the_body_named_in_full_before(self):
        text = (
            "The National Weather Service for Coastal Regions issued a warning. "
            "The NWSCR said the storm flooded 200 homes."
        )
        assert speaker_of_statement(text, "200 homes") == (
            "National Weather Service for Coastal Regions",
            "organization",
        )

    def test_he_is_the_person_named_earlier_in_the_same_sentence(self):
        text = (
            "Mayor Tom Reyes spoke on Monday. "
            "When Police Chief Ana Ruiz presented the figures, she said burglaries fell by 9 percent."
        )
        assert by_text(text, "fell by 9").speaker == "Ana Ruiz"

    def test_a_pronoun_never_points_to_a_name_later_in_its_sentence(self):
        text = (
            "Truck driver Webb Carter was arrested in May. "
            "Later that day, he admitted that he drove to Dallas Suites Hotel."
        )
        assert by_text(text, "drove to").speaker == "Webb Carter"

    def test_an_unnamed_spokesperson_speaks_for_the_body_the_sentence_before_opened_with(self):
        text = (
            "The Northern Rail Authority, part of the transport ministry, did not reply. A spokesperson who was "
            "not authorised to speak said that 14 trains were cancelled. The spokesperson said 200 staff were ill."
        )
        named = "A Northern Rail Authority spokesperson"
        assert speaker_of_statement(text, "14 trains") == (named, "anonymous")
        assert speaker_of_statement(text, "200 staff") == (named, "anonymous")

    def test_a_bare_spokesperson_after_no_named_body_stays_unnamed(self):
        text = "Floods hit the valley. A spokesperson said 14 trains were cancelled."
        assert by_text(text, "14 trains").speaker == "A spokesperson"

    def test_the_authors_are_the_authors_of_the_work_named_before(self):
        text = (
            "The authors of the study published in the Lancet Regional Health argued that it was overdue. "
            "The share of smokers fell by 3 percent, the authors wrote."
        )
        assert by_text(text, "fell by 3").speaker == "Authors of the study published in the Lancet Regional Health"

    def test_both_men_are_the_two_people_named_together(self):
        text = (
            "Canadian Omar King and British Lena Stolz, both engineers, were released on Friday. "
            "Both men said they had been held in a basement for 40 days."
        )
        assert speaker_of_statement(text, "40 days") == ("Omar King and Lena Stolz", "person")

    def test_a_possessive_office_speaks_for_its_owner(self):
        text = "Teachers did not see Gov. Eric Holcomb on Tuesday. His office said he was in Florida for 3 days."
        assert by_text(text, "Florida").speaker == "The office of Gov. Eric Holcomb"


class TestDates:
    @pytest.mark.parametrize(
        ("phrase", "expected", "precision"),
        [
            ("on Tuesday", datetime.date(2024, 5, 14), DAY),
            ("on Thursday", PUBLISHED, DAY),  # the day of publication itself
            ("last Friday", datetime.date(2024, 5, 10), DAY),
            ("in March", datetime.date(2024, 3, 1), MONTH),
            ("in December", datetime.date(2023, 12, 1), MONTH),  # the latest December not after publication
            ("in March 2019", datetime.date(2019, 3, 1), MONTH),
            ("on December 10, 2018", datetime.date(2018, 12, 10), DAY),
            ("on 10 December 2018", datetime.date(2018, 12, 10), DAY),
            ("on June 3", datetime.date(2023, 6, 3), DAY),
            ("on 2019-07-04", datetime.date(2019, 7, 4), DAY),
            ("in 2015", datetime.date(2015, 1, 1), YEAR),
            ("yesterday", datetime.date(2024, 5, 15), DAY),
            ("last week", datetime.date(2024, 5, 1), MONTH),  # a week gives its month, when all of it is in one
            ("last month", datetime.date(2024, 4, 1), MONTH),
        ],
    )
    def test_it_resolves_dates_relative_to_publication(self, phrase, expected, precision):
        found = find_date(f"The minister spoke {phrase} about the plan.", PUBLISHED)
        assert (found.date, found.precision) == (expected, precision)

    def test_it_does_not_take_the_start_of_a_period_for_a_date(self):
        assert find_date("Prices have risen since January.", PUBLISHED) is None
        assert by_text(WIRE_STORY, "prices had risen").claim_date == datetime.date(2024, 5, 15)  # the vote on Wednesday

    def test_it_never_dates_a_claim_after_publication(self):
        assert find_date("The vote is on June 3, 2024.", PUBLISHED) is None

    def test_it_leaves_relative_dates_unresolved_without_a_publication_date(self):
        assert find_date("She spoke on Friday.", None) is None
        assert find_date("She spoke on December 10, 2018.", None).date == datetime.date(2018, 12, 10)

    def test_it_dates_reported_speech_by_its_attribution_never_by_a_date_in_what_was_said(self):
        text = "Council member Tom Baker told the Gazette on Monday that property taxes rose by 3 percent in March."
        assert by_text(text, "taxes rose").claim_date == datetime.date(2024, 5, 13)
        assert by_text("Tom Baker said property taxes rose by 3 percent in March.", "taxes rose").claim_date is None

    @pytest.mark.parametrize(
        ("sentence", "expected", "precision"),
        [
            (
                "NASA announced Nov. 18 that it was adding five companies to the contract.",
                datetime.date(2023, 11, 18),
                DAY,
            ),
            (
                "Ana Ruiz said on Twitter over the weekend that the deal had collapsed.",
                datetime.date(2024, 5, 1),
                MONTH,
            ),
            (
                "In a joint statement published Oct. 25, the ministries accused the rebels of theft.",
                datetime.date(2023, 10, 25),
                DAY,
            ),
            ("The bridge cost $40 million, Ana Ruiz told reporters on Wednesday.", datetime.date(2024, 5, 15), DAY),
            (
                "In August, the Food Standards Agency announced that it hired 300 inspectors.",
                datetime.date(2023, 8, 1),
                MONTH,
            ),
        ],
    )
    def test_it_reads_the_date_where_the_attribution_says_it(self, sentence, expected, precision):
        found = candidates(sentence)[0]
        assert (found.claim_date, found.claim_date_precision) == (expected, precision)

    def test_it_dates_the_publishers_own_statements_on_publication(self):
        found = by_text(ARTICLE, "$4.2 billion")
        assert (found.claim_date, found.date_basis) == (PUBLISHED, "publication date")

    def test_it_dates_present_tense_speech_on_publication(self):
        assert by_text(ARTICLE, "bus lanes").claim_date == PUBLISHED

    def test_it_carries_a_speakers_date_to_their_next_statements(self):
        text = "Mayor Tom Reyes told reporters on Monday that crime fell by 9 percent. He said 40 officers were hired."
        assert by_text(text, "officers").claim_date == datetime.date(2024, 5, 13)

    def test_it_dates_a_speaker_named_after_an_offset_from_a_date(self):
        text = (
            "The strike began on Tuesday, two days after Union Leader Sam Okafor spoke in Leeds. "
            'Okafor said "wages have fallen by 8 percent since 2020."'
        )
        found = by_text(text, "wages")
        assert (found.speaker, found.claim_date) == ("Sam Okafor", datetime.date(2024, 5, 12))
        assert found.date_basis == '"two days after" on Tuesday'


class TestWhenItWasSaid:
    def test_a_date_in_another_sentence_never_dates_a_statement(self):
        text = "The plant closed in March. Analyst Rui Costa said the region lost 2,000 jobs."
        assert by_text(text, "2,000 jobs").claim_date is None

    def test_a_same_day_story_dates_what_people_said_at_its_event(self):
        text = (
            "Thousands of nurses marched in Leeds on Thursday to demand better pay. "
            "Union leader Rui Costa said 40 wards closed because of staff shortages."
        )
        found = by_text(text, "40 wards")
        assert (found.claim_date, found.date_basis) == (PUBLISHED, "on Thursday (the day the story reports)")

    def test_a_reaction_takes_the_date_of_the_event_it_points_back_to(self):
        text = "Troops crossed the border in March. At the time, the ministry said 300 soldiers took part."
        found = by_text(text, "300 soldiers")
        assert (found.claim_date, found.claim_date_precision) == (datetime.date(2024, 3, 1), MONTH)

    def test_a_speakers_next_quote_keeps_the_date_of_their_last(self):
        text = (
            'Mayor Tom Reyes told reporters on Monday that crime fell. "We hired 40 officers in a year." '
            '"And response times fell by a third."'
        )
        assert by_text(text, "response times").claim_date == datetime.date(2024, 5, 13)


class TestScoring:
    def test_it_ranks_numbers_named_entities_and_factual_verbs_above_opinion_prediction_and_intent(self):
        factual, _ = score_features("Springfield spent $18 million on consultants in 2023.")
        opinion, _ = score_features("I think the mayor should be more careful.")
        prediction, _ = score_features("The budget will probably be a turning point.")
        intent, _ = score_features("The council plans to review the spending.")
        assert factual > max(opinion, prediction, intent)

    def test_it_shows_the_features_behind_a_score(self):
        score, features = score_features("The city of Springfield spent $18 million on consultants.", attributed=True)
        names = [name for name, _ in features]
        assert {"number", "quantity", "named entity", "factual verb", "attributed"} <= set(names)
        assert score == pytest.approx(min(1.0, 0.3 + sum(weight for _, weight in features)))

    def test_it_proposes_only_candidates_above_the_threshold_best_first(self):
        proposed = extract(ARTICLE, published_on=PUBLISHED, publisher="Example News")
        assert [c.score for c in proposed] == sorted((c.score for c in proposed), reverse=True)
        assert not any("turning point" in c.text for c in proposed)
        assert any("$4.2 billion" in c.text for c in proposed)

    def test_it_skips_headlines_and_tag_lines(self):
        assert not any("record budget" in c.text for c in candidates(ARTICLE))

    def test_it_is_deterministic(self):
        assert candidates(ARTICLE) == candidates(ARTICLE)


class TestSeedArticle:
    def test_it_reaches_the_quality_targets_on_the_seed_article(self):
        figures = quality([seed_outcome()]).figures()
        assert {name: figures[name] >= target for name, target in SEED_TARGETS.items()} == dict.fromkeys(
            SEED_TARGETS, True
        )

    def test_a_figure_a_body_published_counts_though_it_is_a_projection(self):
        text = "The Budget Office estimated that the tariffs would reduce output by 0.3 percent in 2023."
        assert any("0.3 percent" in c.text for c in extract(text, published_on=PUBLISHED, publisher="Example News"))

    def test_reactions_and_appeals_rank_below_the_facts_around_them(self):
        reaction, _ = score_features("We need to make sure we keep nurses on the wards!", attributed=True)
        fact, _ = score_features("The hospital closed 40 wards in 2023 because of staff shortages.", attributed=True)
        assert reaction < THRESHOLD <= fact
