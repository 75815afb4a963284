from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Connects the Celery task-outcome counters, in the web and worker processes alike.
        from core import metrics  # noqa: F401
