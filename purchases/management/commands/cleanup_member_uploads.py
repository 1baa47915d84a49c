"""Deletes the files of members' upload jobs that never ran; schedule it hourly."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from purchases.uploads import JOB_MAX_AGE, STORAGE_FOLDER


class Command(BaseCommand):
    help = ("Delete the files members uploaded for a background check more than a day ago: a job "
            "deletes its own file, so these are the ones whose job never ran.")

    def handle(self, *args, **options):
        cutoff = timezone.now() - timedelta(seconds=JOB_MAX_AGE)
        try:
            _folders, names = default_storage.listdir(STORAGE_FOLDER)
        except FileNotFoundError:
            names = []
        deleted = 0
        for name in names:
            path = f"{STORAGE_FOLDER}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        self.stdout.write(f"{deleted} forgotten member uploads deleted.")
