"""Personas shared by the suite: two editors, a reviewer, a researcher and an outsider."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def editor(db):
    return UserFactory(username="edna", role="editor")


@pytest.fixture
def second_editor(db):
    return UserFactory(username="eli", role="editor")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rex", role="reviewer")


@pytest.fixture
def researcher(db):
    return UserFactory(username="rita", role="researcher")


@pytest.fixture
def outsider(db):
    return UserFactory(username="otto")
