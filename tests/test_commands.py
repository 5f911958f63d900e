"""Management commands other than the seed loader."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ensure_admin() -> str:
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_it_creates_an_administrator_with_a_random_password_printed_once(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    output = ensure_admin()
    password = output.split("password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)
    assert len(password) >= 16
    assert password not in ensure_admin()


def test_two_new_machines_get_different_passwords(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    first = ensure_admin().split("password: ")[1].split()[0]
    get_user_model().objects.all().delete()
    second = ensure_admin().split("password: ")[1].split()[0]
    assert first != second


def test_it_takes_the_password_from_the_environment_without_printing_it(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long chosen passphrase")
    output = ensure_admin()
    assert "a long chosen passphrase" not in output
    assert get_user_model().objects.get(username="admin").check_password("a long chosen passphrase")


def test_it_leaves_an_existing_administrator_alone(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "another passphrase")
    admin = UserFactory(username="chief", is_superuser=True, is_staff=True)
    assert ensure_admin() == "An administrator account already exists; its password is unchanged.\n"
    admin.refresh_from_db()
    assert admin.check_password("correct horse battery staple")
    assert get_user_model().objects.count() == 1


@pytest.mark.parametrize("username", ["", "chief editor"])
def test_it_refuses_a_user_name_the_admin_would_not_accept(username):
    with pytest.raises(CommandError, match="--username"):
        call_command("ensure_admin", username=username, stdout=StringIO())
    assert not get_user_model().objects.exists()
