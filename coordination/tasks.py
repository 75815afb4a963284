from celery import shared_task

from coordination.services import deadline_reminders_due


@shared_task(name="coordination.deadline_reminders")
def send_deadline_reminders() -> int:
    return deadline_reminders_due()
