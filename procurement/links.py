"""Signed links for people without an account: each purpose has its own salt, so a link made
for one thing (answering a request) never opens another (changing the enterprise's
preferences), and each expires."""

from datetime import timedelta

from django.conf import settings
from django.core import signing

RESPOND = "procurement.respond"
PREFERENCES = "procurement.preferences"
CONFIRM_BUYER = "procurement.confirm-buyer"
BUYER_NOTICES = "procurement.buyer-notices"

MAX_AGE = {
    RESPOND: timedelta(days=settings.PROCUREMENT_RESPONSE_LINK_DAYS),
    # An unsubscribe link must keep working long after the request it came with.
    PREFERENCES: timedelta(days=365),
    BUYER_NOTICES: timedelta(days=365),
    CONFIRM_BUYER: timedelta(days=3),
}


class BadLink(Exception):
    """The link was altered, made for another purpose, or has expired."""

    def __init__(self, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def make_token(purpose, pk):
    return signing.TimestampSigner(salt=purpose).sign_object(pk)


def read_token(purpose, token):
    """The primary key the link carries; raises ``BadLink``."""
    try:
        pk = signing.TimestampSigner(salt=purpose).unsign_object(
            token, max_age=MAX_AGE[purpose]
        )
    except signing.SignatureExpired as error:
        raise BadLink(expired=True) from error
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as error:
        raise BadLink() from error
    if not isinstance(pk, int):
        raise BadLink()
    return pk
