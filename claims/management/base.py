"""What our management commands share: a user named on the command line, and a progress line on a terminal."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

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

    @property
    def on_terminal(self) -> bool:
        """Whether stderr is a terminal, the only place for progress: it is for people watching, not for logs."""
        return self.stderr.isatty()

    @contextmanager
    def progress_line(self, describe: Callable[..., str]) -> Iterator[Callable[..., None] | None]:
        """A progress callback rewriting one line of stderr with ``describe(*its arguments)``, or None off a terminal.

        The line is ended on leaving, also when the command fails, so that what follows starts a line of its own.
        """
        if not self.on_terminal:
            yield None
            return

        def show(*progress) -> None:
            # ``str`` keeps Django from colouring stderr red.
            self.stderr.write(f"\r{describe(*progress)}", style_func=str, ending="")
            self.stderr.flush()

        try:
            yield show
        finally:
            self.stderr.write("", style_func=str)
