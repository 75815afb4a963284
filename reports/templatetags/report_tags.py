from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Characters that could end the CSS string or the <style> element, or that HTML escaping would
# turn into entities (which a <style> element shows literally).
_CSS_UNSAFE = set("\"'\\<>&")


@register.filter
def css_string(value: object) -> SafeString:
    """Escapes text for a double-quoted CSS string (e.g. `content: "..."` in @page rules): CSS
    escapes are a backslash, the hex code point and a space."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in _CSS_UNSAFE or ord(char) < 0x20 else char for char in str(value)
    )
    return mark_safe(escaped)  # noqa: S308 - every character that matters is escaped above
