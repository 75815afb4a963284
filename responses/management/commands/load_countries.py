from typing import Any

from django.core.management.base import BaseCommand

from responses.services import COUNTRIES_FILE, countries_load


class Command(BaseCommand):
    help = "Load or update the list of countries (responses/data/countries.yaml). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = countries_load(path=COUNTRIES_FILE)
        self.stdout.write(self.style.SUCCESS(f"Countries loaded: {changed} added or updated."))
