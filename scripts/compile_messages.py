"""Compiles every translation catalogue (locale/<lang>/LC_MESSAGES/*.po) into the .mo file Django
reads, with polib (pure Python): the install step runs it, so a fresh machine needs no GNU
gettext, and the compiled files, never committed, cannot drift from their .po files.

    python scripts/compile_messages.py
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def main() -> int:
    compiled = 0
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        # Fuzzy entries are guesses: gettext's msgfmt leaves them out, and so does this.
        catalogue.save_as_mofile(str(mo_path))
        compiled += 1
    print(f"translations: {compiled} catalogue(s) compiled", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
