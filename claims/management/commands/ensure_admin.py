import os
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Make sure an administrator account exists. A new one gets the password in "
        "DJANGO_SUPERUSER_PASSWORD, or a random one printed once; an existing one is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True, is_active=True).exists():
            self.stdout.write("An administrator account already exists; its password is unchanged.")
            return
        try:
            User.username_validator(username)
        except ValidationError as error:
            raise CommandError(f"--username {username!r}: {' '.join(error.messages)}") from error
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if os.environ.get("DJANGO_SUPERUSER_PASSWORD"):
            self.stdout.write(f"Created administrator '{username}' with the password in DJANGO_SUPERUSER_PASSWORD.")
        else:
            self.stdout.write(self.style.WARNING(f"Created administrator '{username}' with password: {password}"))
            self.stdout.write("This password is shown only once; change it in the admin after logging in.")
