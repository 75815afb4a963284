"""Free text is hostile until shown otherwise."""

# A spreadsheet treats a cell that starts with one of these as a formula (or a DDE command).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Prefixes a would-be formula with an apostrophe, so spreadsheets show it as text."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
