from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnaireConfig(AppConfig):
    name = "questionnaire"
    verbose_name = _("Questionnaires")

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from questionnaire.models import Field, Option, Question, Questionnaire, Taxonomy
        from questionnaire.structure import questionnaire_structure_changed

        # A change made anywhere (the admin, a shell) must reach the copy each process keeps of
        # the structure; the loader says so itself, once per load.
        def structure_changed(sender, instance, **kwargs) -> None:
            if sender is Option:
                questionnaire_id = (
                    Taxonomy.objects.filter(pk=instance.taxonomy_id)
                    .values_list("questionnaire_id", flat=True)
                    .first()
                )
            elif sender is Questionnaire:
                questionnaire_id = instance.pk
            else:
                questionnaire_id = instance.questionnaire_id
            if questionnaire_id is not None:
                # Now, for this transaction's own later reads, and again once committed, for
                # the processes that read the old rows in between.
                questionnaire_structure_changed(questionnaire_id)
                transaction.on_commit(lambda: questionnaire_structure_changed(questionnaire_id))

        for model in (Questionnaire, Question, Field, Taxonomy, Option):
            post_save.connect(structure_changed, sender=model, dispatch_uid=f"structure-{model.__name__}")
            post_delete.connect(
                structure_changed, sender=model, dispatch_uid=f"structure-del-{model.__name__}"
            )
