import datetime

from django.core.management.base import CommandError
from knox.models import AuthToken

from claims.management.base import ClaimsCommand


class Command(ClaimsCommand):
    help = (
        "Issue an API token for USERNAME and print it once: only its hash is stored. "
        "Scripts send it as 'Authorization: Token <token>'."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, help="Days until the token expires (default: API_TOKEN_DAYS, 90).")

    def handle(self, *args, username, days, **options):
        user = self.find_user(username, active_only=True)
        if days is not None and days < 1:
            raise CommandError(f"--days must be at least 1, not {days}.")
        lifetime = {"expiry": datetime.timedelta(days=days)} if days else {}  # else knox's TOKEN_TTL
        instance, token = AuthToken.objects.create(user=user, **lifetime)
        self.stdout.write(token)
        self.stderr.write(
            f"Token {instance.token_key} for {username}, expires {instance.expiry:%Y-%m-%d %H:%M %Z}. "
            "It is shown only this once."
        )
