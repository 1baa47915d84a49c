"""Test settings: the real settings, with a throwaway key and fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from ecpar_site.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client speaks plain HTTP; tests that need HTTPS ask for it with secure=True.
SECURE_SSL_REDIRECT = False
# Client.login() authenticates without a request, which axes refuses; the login throttle's
# own tests (tests/test_security.py) turn it back on.
AXES_ENABLED = False
# Static files straight from the app and project folders, as in development: no collectstatic.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Each test counts its own data: no facet counts carried over from another test.
DIRECTORY_FACETS_CACHE_SECONDS = 0
