"""Mail backends that fail as broken mail servers do, for tests to set as EMAIL_BACKEND."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down: the connection is refused."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class SilentBackend(BaseEmailBackend):
    """A mail server that takes the connection and never answers, until EMAIL_TIMEOUT."""

    def send_messages(self, email_messages):
        raise TimeoutError("timed out")


class DisconnectingBackend(BaseEmailBackend):
    """A mail server that hangs up in the middle of the conversation."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


BROKEN = [
    "tests.mail_backends.RefusingBackend",
    "tests.mail_backends.SilentBackend",
    "tests.mail_backends.DisconnectingBackend",
]
