"""Two people registering at the same time for the last seat: one gets it, the other waits.

The writers must commit for each to see the other, so the test is transactional. It declares
the events app as the only one it uses: the flush after it then empties only the events'
tables, and the reference lists stay for the next run on a reused database.
"""

import threading
import time

import pytest
from django.db import connection

from events.models import Event, Registration
from tests.factories import EventFactory


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True, available_apps=["events"])
def test_two_people_registering_at_once_cannot_both_take_the_last_seat(monkeypatch):
    save = Registration.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.3)  # widen the window between counting the seats and taking one
        save(self, *args, **kwargs)

    monkeypatch.setattr(Registration, "save", slow_save)
    start = threading.Barrier(2)

    def attempt(number):
        start.wait()
        try:
            Event.objects.get(pk=event.pk).register(Registration(
                role=Registration.Role.BUYER, name=f"Personne {number}",
                organization_name="Ville de Longueuil", email=f"personne{number}@example.org",
            ))
        finally:
            connection.close()

    event = EventFactory(capacity=1)
    threads = [threading.Thread(target=attempt, args=(number,)) for number in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(event.registrations.values_list("status", flat=True)) == [
        "confirmed", "waitlisted"
    ]
