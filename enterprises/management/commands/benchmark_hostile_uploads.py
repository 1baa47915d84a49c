"""What each hostile upload costs to refuse: CPU time and peak memory, read in this process and
in the limited subprocess. The goal: under 2 s of CPU and 100 MB for every file."""

import io
import resource
import time
import tracemalloc

from django.core.management.base import BaseCommand
from django.test import override_settings

from enterprises.imports import hostile
from enterprises.imports.read import Limits, UnreadableFile, open_table


def read_whole(data, name, limits):
    """The outcome of reading the file to its end: the refusal, or how many rows were read."""
    try:
        table = open_table(io.BytesIO(data), name, limits=limits)
        return f"read, {sum(1 for _row in table.rows)} rows"
    except UnreadableFile as refused:
        return f"refused: {refused.message}"


class Command(BaseCommand):
    help = "Print the CPU time and peak memory each hostile upload costs the reader."

    def add_arguments(self, parser):
        parser.add_argument("--limits", choices=["members", "staff"], default="members",
                            help="Whose reading limits to apply (default: members).")

    def handle(self, *args, **options):
        limits = Limits.for_members() if options["limits"] == "members" else Limits.for_staff()
        self.stdout.write(f"{'file':<42}{'size':>10}  {'in process':>18}  {'subprocess':>22}"
                          "  outcome")
        self.stdout.write(f"{'':<42}{'KB':>10}  {'CPU s':>8} {'peak MB':>9}  {'CPU s':>8} "
                          f"{'wall s':>7} {'RSS MB':>6}")
        for case, name, build in hostile.REFUSED + hostile.READ:
            data = build()
            in_process = self.in_process(data, name, limits)
            child = self.in_subprocess(data, name, limits)
            self.stdout.write(
                f"{case:<42}{len(data) / 1024:>10.0f}  {in_process[0]:>8.2f} "
                f"{in_process[1]:>9.1f}  {child[0]:>8.2f} {child[1]:>7.2f} {child[2]:>6.0f}"
                f"  {in_process[2][:70]}"
            )
        self.stdout.write("RSS: the largest subprocess so far (the kernel keeps only the peak).")

    def in_process(self, data, name, limits):
        with override_settings(UPLOAD_READ_IN_PROCESS_BYTES=len(data) + 1):
            tracemalloc.start()
            started = time.process_time()
            outcome = read_whole(data, name, limits)
            cpu = time.process_time() - started
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return cpu, peak / 1024 / 1024, outcome

    def in_subprocess(self, data, name, limits):
        with override_settings(UPLOAD_READ_IN_PROCESS_BYTES=0):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            read_whole(data, name, limits)
            wall = time.monotonic() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        return cpu, wall, after.ru_maxrss / 1024
