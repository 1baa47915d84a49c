"""Reading an upload in a subprocess with its own CPU, memory and time limits.

The reader's budgets stop the bombs we know of; the subprocess bounds the ones we do not: a file
that still exhausts a limit is killed by the kernel (or, past its time, by a timer) and fails
alone, never a web or task worker. The child writes the rows to a temporary file as JSON lines,
which the parent reads as they come: a header is known as soon as the child wrote it, and when
the parent stops reading (the columns step needs the header only) the child is stopped. A
refusal comes back as the untranslated message and its parameters, shown in the user's language.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import read

# Small files are read in the requesting process, within the reader's budgets.
IN_PROCESS_BYTES = 256 * 1024
# Enough for a network's whole directory (100 000 rows of XLSX take about 10 s of CPU).
CPU_SECONDS = 120
MEMORY_BYTES = 1024 * 1024 * 1024
WALL_SECONDS = 300
# The child's exit status when it refused the file with a message of its own.
REFUSED = 3
# How often the parent looks for rows the child has not written yet.
POLL_SECONDS = 0.01


def in_process_bytes():
    """Up to this size (setting UPLOAD_READ_IN_PROCESS_BYTES), a file is read in-process."""
    return getattr(settings, "UPLOAD_READ_IN_PROCESS_BYTES", IN_PROCESS_BYTES)


def process_limits():
    return (
        getattr(settings, "UPLOAD_READ_CPU_SECONDS", CPU_SECONDS),
        getattr(settings, "UPLOAD_READ_MEMORY_BYTES", MEMORY_BYTES),
        getattr(settings, "UPLOAD_READ_WALL_SECONDS", WALL_SECONDS),
    )


def too_costly():
    return read.UnreadableFile(
        _("This file needs more time or memory to read than an upload may take: split it into "
          "smaller files.")
    )


class Child:
    """One limited reading process, and the files it reads and writes."""

    def __init__(self, binary, file_name, sheet_name, limits):
        cpu, memory, wall = process_limits()
        suffix = PurePath(file_name).suffix.lower()[:10]
        self.source = tempfile.NamedTemporaryFile(suffix=suffix)
        binary.seek(0)
        shutil.copyfileobj(binary, self.source)
        self.source.flush()
        self.output = tempfile.NamedTemporaryFile(suffix=".jsonl")
        self.errors = tempfile.TemporaryFile()
        environment = {key: value for key, value in os.environ.items()
                       if key != "DJANGO_SETTINGS_MODULE"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "enterprises.imports.sandbox", self.source.name,
             self.output.name, file_name, sheet_name, json.dumps(limits.as_dict()), str(cpu),
             str(memory)],
            stdout=subprocess.DEVNULL, stderr=self.errors, cwd=settings.BASE_DIR,
            env=environment,
        )
        self.timer = threading.Timer(wall, self.process.kill)
        self.timer.start()
        self.reader = open(self.output.name, "rb")  # noqa: SIM115 (stop() closes it)
        self.pending = b""

    def next_line(self):
        """The next line the child wrote, waiting for it; None once the child is done."""
        while True:
            if not self.pending.endswith(b"\n"):
                self.pending += self.reader.readline()
            if self.pending.endswith(b"\n"):
                line, self.pending = self.pending, b""
                return json.loads(line)
            if self.process.poll() is None:
                time.sleep(POLL_SECONDS)
                continue
            # The child is done: whatever it wrote is in the file now.
            self.pending += self.reader.readline()
            if not self.pending.endswith(b"\n"):
                self.check()
                return None

    def check(self):
        """Raise the child's refusal, or its failure to finish within its limits."""
        if self.process.returncode == 0:
            return
        if self.process.returncode == REFUSED:
            self.errors.seek(0)
            sent = json.loads(self.errors.read().decode().strip().splitlines()[-1])
            raise read.UnreadableFile(_(sent["message"]), **sent["params"])  # noqa: INT001
        raise too_costly()

    def stop(self):
        self.timer.cancel()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for file in (self.reader, self.output, self.errors, self.source):
            file.close()


def read_rows(binary, file_name, sheet_name, limits):
    """The file's rows as ``read.read_rows`` gives them, read by a limited subprocess."""
    child = Child(binary, file_name, sheet_name, limits)
    try:
        found = child.next_line()
    except BaseException:
        child.stop()
        raise
    if found is None:  # a child that exits cleanly always writes what it found first
        child.stop()
        raise too_costly()

    def rows():
        try:
            while (row := child.next_line()) is not None:
                number, values = row
                yield number, values
        finally:
            child.stop()

    return read.Rows(rows(), found["description"], found["header_search"])


def run_child(path, output_path, file_name, sheet_name, limits, cpu, memory):
    """In the subprocess: limit it, read the file, write what was read, line by line."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # Messages stay untranslated here: the parent translates them.
    settings.configure(USE_I18N=False)
    try:
        with open(path, "rb") as binary, open(output_path, "w", encoding="utf-8") as output:
            found = read.read_rows(binary, file_name, sheet_name, read.Limits.from_dict(limits))
            output.write(json.dumps({"description": found.description,
                                     "header_search": found.header_search}) + "\n")
            for number, values in found.rows:
                output.write(json.dumps([number, values]) + "\n")
    except read.UnreadableFile as refused:
        params = {key: value if isinstance(value, int) else str(value)
                  for key, value in refused.params.items()}
        sys.stderr.write("\n" + json.dumps({"message": str(refused.template), "params": params}))
        return REFUSED
    except MemoryError:
        return 1
    return 0


if __name__ == "__main__":
    source, output, name, sheet, limits, cpu, memory = sys.argv[1:]
    sys.exit(run_child(source, output, name, sheet, json.loads(limits), int(cpu), int(memory)))
