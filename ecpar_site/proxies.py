"""The client's address, as far as the proxies in front of the site can be trusted."""

from django.conf import settings


def client_ip_address(request):
    """REMOTE_ADDR, or the address our outermost proxy added to X-Forwarded-For.

    Each trusted proxy appends the address it received the request from, so the entry
    TRUSTED_PROXY_COUNT from the right is the client's; anything to its left was sent by the
    client itself and could be forged to escape the login throttle.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if count and len(forwarded) >= count and forwarded[-count]:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
