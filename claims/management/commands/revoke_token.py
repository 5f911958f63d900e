from django.core.management.base import CommandError
from knox.models import AuthToken
from knox.settings import CONSTANTS

from claims.management.base import ClaimsCommand


class Command(ClaimsCommand):
    help = "Revoke the API tokens of USERNAME: all of them, or the one whose key (its first characters) is given."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--key", help="The token's key as issue_token printed it; without it, every token goes.")

    def handle(self, *args, username, key, **options):
        user = self.find_user(username)
        tokens = AuthToken.objects.filter(user=user)
        if key:
            tokens = tokens.filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH])  # the whole token works too
        revoked, _ = tokens.delete()
        if key and not revoked:
            raise CommandError(f"{username} has no token with key {key!r}.")
        self.stdout.write(f"Revoked {revoked} token{'s' if revoked != 1 else ''} of {username}.")
