"""Django's fr_CA formats, with times that print as "13 h 40".

Django's own fr_CA module writes its times as ``"H\\xa0h\\xa0i"``, where the unescaped ``h`` is
the 12-hour format character: a quarter past midnight printed "00 12 15". The ``h`` is escaped
here; every other format is Django's.
"""

from django.conf.locale.fr_CA.formats import *  # noqa: F403 - the rest of Django's fr_CA formats

TIME_FORMAT = "H\xa0\\h\xa0i"  # 13 h 40
DATETIME_FORMAT = "j F Y, H\xa0\\h\xa0i"  # 31 janvier 2024, 13 h 40
SHORT_DATETIME_FORMAT = "Y-m-d H\xa0\\h\xa0i"  # 2024-01-31 13 h 40
