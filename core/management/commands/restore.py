from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup` over the configured database (everything in it is replaced)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="confirm that the database is replaced")

    def handle(self, *args: Any, file: Path, yes: bool, **options: Any) -> None:
        if not yes:
            raise CommandError("This replaces everything in the database: run it again with --yes.")
        try:
            backup_restore(path=file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored from {file}."))
