"""One way to print a figure, in every view and file: grouped as the reader's language groups
thousands (1,234 / 1 234 / 1.234), no decimals for whole numbers, as the templates'
`floatformat:"0g"` prints them."""

from django.utils.formats import number_format


def figure(value: int | float) -> str:
    """A count, a figure or a median, rounded to a whole number and grouped."""
    return number_format(round(value), force_grouping=True)
