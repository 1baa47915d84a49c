"""How many files one person, or one organization, may upload in a while.

Reading a file costs far more than serving a page: counters in the cache (shared by every
server when ``REDIS_URL`` is set) let each scope send so many files per window, then refuse
the next ones until the window ends.
"""

import time

from django.conf import settings
from django.core.cache import cache

# Scope → (files, seconds). Settings: UPLOAD_RATE_LIMITS, e.g. {"user": (20, 3600)}.
# Curators preview a file, fix it and send it again: a wider window of their own.
DEFAULT_RATES = {"user": (20, 3600), "organization": (60, 3600), "staff": (60, 3600)}


def rate(scope):
    return {**DEFAULT_RATES, **getattr(settings, "UPLOAD_RATE_LIMITS", {})}[scope]


def allow_upload(**owners):
    """Count one upload for each owner (``user=5, organization=3``); False when any of them is
    past its rate, and then nothing is counted."""
    keys = []
    for scope, owner in owners.items():
        limit, seconds = rate(scope)
        key = f"upload-rate:{scope}:{owner}:{int(time.time() // seconds)}"
        if (cache.get(key) or 0) >= limit:
            return False
        keys.append((key, seconds))
    for key, seconds in keys:
        if not cache.add(key, 1, seconds):
            try:
                cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.add(key, 1, seconds)
    return True
