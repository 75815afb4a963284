from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_on_in_production(app_configs, **kwargs) -> list[Warning]:
    """`check --deploy` warns when accounts of government staff would sign in with a password
    alone."""
    if settings.TWO_FACTOR_REQUIRED:
        return []
    return [
        Warning(
            "Two-factor sign-in is off (TWO_FACTOR_REQUIRED=False).",
            hint="Only the local demo may run without it; unset TWO_FACTOR_REQUIRED in production.",
            id="accounts.W001",
        )
    ]
