"""What our management commands share: a user named on the command line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser


class ClaimsCommand(BaseCommand):
    def add_user_option(self, parser: CommandParser, *, help: str) -> None:
        parser.add_argument("--user", help=help)

    def find_user(self, username: str | None, *, if_none=None, active_only: bool = False, option: str = ""):
        """The user called ``username`` (``if_none`` when none is named), else a CommandError naming ``option``."""
        if username is None:
            return if_none
        users = get_user_model().objects.filter(username=username)
        user = (users.filter(is_active=True) if active_only else users).first()
        if user is None:
            missing = f"no {'active ' if active_only else ''}user {username!r}."
            raise CommandError(f"{option}: there is {missing}" if option else f"There is {missing}")
        return user
