from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from questionnaire.loader import DEFINITIONS_DIR, DefinitionError, questionnaire_load


class Command(BaseCommand):
    help = (
        "Load questionnaire definition files (YAML) into the database. Idempotent: loading an "
        "unchanged file changes nothing. Without arguments, loads every file in "
        "questionnaire/definitions/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="definition files to load")

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        paths = paths or sorted(DEFINITIONS_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"No definition files found in {DEFINITIONS_DIR}.")
        for path in paths:
            try:
                report = questionnaire_load(path=path)
            except DefinitionError as exc:
                raise CommandError(f"Nothing was loaded from {path}. {exc}") from exc
            title = report.questionnaire.title
            if report.created:
                self.stdout.write(self.style.SUCCESS(f"Loaded new questionnaire “{title}” from {path}."))
            elif report.changes:
                self.stdout.write(
                    self.style.SUCCESS(f"Updated “{title}” from {path}: {len(report.changes)} change(s).")
                )
                for change in report.changes:
                    self.stdout.write(f"  - {change}")
            else:
                self.stdout.write(f"“{title}” is already up to date with {path}.")
            for language, missing in report.untranslated.items():
                if missing:
                    shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
                    self.stdout.write(
                        self.style.WARNING(
                            f"  {len(missing)} text(s) have no {language} translation "
                            f"and show in English: {shown}"
                        )
                    )
