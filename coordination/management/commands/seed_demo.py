import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordination.demo import DEFAULT_COUNTRY_COUNT, demo_seed
from core.forms import service_error_text
from questionnaire.selectors import round_current


class Command(BaseCommand):
    help = (
        "Create demo accounts and invented responses (they state no government's position). "
        "Idempotent: a second run adds only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--countries",
            type=int,
            default=DEFAULT_COUNTRY_COUNT,
            help=f"how many countries to seed (default {DEFAULT_COUNTRY_COUNT})",
        )
        parser.add_argument(
            "--password", default=None, help="password of every demo account (default: $DEMO_PASSWORD)"
        )

    def handle(self, *args: Any, countries: int, password: str | None, **options: Any) -> None:
        password = password or os.environ.get("DEMO_PASSWORD")
        if not password:
            raise CommandError("Give the demo accounts' password with --password or DEMO_PASSWORD.")
        current = round_current()
        if current is None:
            raise CommandError(
                "No questionnaire round exists: run `python manage.py load_questionnaire` first."
            )
        try:
            report = demo_seed(round=current, country_count=countries, password=password)
        except ValidationError as exc:
            raise CommandError(service_error_text(exc)) from exc
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data for {len(report.countries)} countries in “{current}”: "
                f"{report.users_created} account(s) and {report.responses_created} response(s) added "
                f"({report.submitted} submitted, {report.drafts} left as drafts). "
                "All demo responses are invented."
            )
        )
