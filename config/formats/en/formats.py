"""Dates and numbers as each language writes them (FORMAT_MODULE_PATH). Templates name the
format (`|date:"SHORT_DATETIME_FORMAT"`), never its letters, so that one template serves all."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
