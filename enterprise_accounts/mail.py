"""The app's emails, each rendered in its recipient's language and queued like every other
email of the site (``purchases.mail``: stored, then sent by the task worker)."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from purchases.mail import queue_mail


def send_to(recipient, language, template, context):
    """``templates/enterprise_accounts/email/<template>_subject.txt`` and ``<template>.txt``."""
    with translation.override(language):
        subject = " ".join(render_to_string(
            f"enterprise_accounts/email/{template}_subject.txt", context
        ).split())
        body = render_to_string(f"enterprise_accounts/email/{template}.txt", context)
    return queue_mail(EmailMessage(subject, body, to=[recipient]))
