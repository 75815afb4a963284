"""What a submitted answer means may not change: the one rule on options that answers use, for
every way a questionnaire changes (the definition loader, the admin and its inlines). An answer
stores an option's key and is read through its label, so a used option keeps both and stays;
new options may always be added. Fields that answers use keep their type and are never dropped
(the loader's check; the admin shows fields read-only).
docs/decisions/0006-submitted-meaning-is-frozen.md
"""

from django.utils.translation import gettext as _


def option_change_problems(
    *, used: dict[str, int], before: dict[str, str], after: dict[str, str]
) -> list[str]:
    """Why a change of one taxonomy's options is refused (empty: it is allowed). `used` counts
    the saved answers choosing each option key; `before` and `after` map option keys to labels."""
    problems = []
    for key, count in sorted(used.items()):
        if key not in before:
            continue
        if key not in after:
            problems.append(
                _("“%(key)s” is chosen in %(n)s saved answer(s): it cannot be deleted.")
                % {"key": key, "n": count}
            )
        elif after[key] != before[key]:
            problems.append(
                _(
                    "“%(key)s” is chosen in %(n)s saved answer(s): its key and label keep what those "
                    "answers meant. Add a new option instead."
                )
                % {"key": key, "n": count}
            )
    return problems
