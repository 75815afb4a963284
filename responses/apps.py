from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = _("Countries and responses")

    def ready(self) -> None:
        from questionnaire.usage import answer_values_reader_register
        from responses.selectors import answer_values_for_fields

        # The questionnaire asks which values answers hold before a change (it cannot import us).
        answer_values_reader_register("responses", answer_values_for_fields)
