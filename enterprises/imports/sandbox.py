"""Reading an upload in a subprocess with its own CPU, memory and time limits.

The reader's budgets stop the bombs we know of; the subprocess bounds the ones we do not: a file
that still exhausts a limit is killed by the kernel and fails alone, never a web or task worker.
The child writes the rows to a temporary file as JSON lines, or its refusal as the untranslated
message and its parameters, which the parent shows in the user's language.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import read

# Small files are read in the requesting process, within the reader's budgets.
IN_PROCESS_BYTES = 256 * 1024
CPU_SECONDS = 20
MEMORY_BYTES = 1024 * 1024 * 1024
WALL_SECONDS = 60
# The child's exit status when it refused the file with a message of its own.
REFUSED = 3


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


def read_rows(binary, file_name, sheet_name, limits):
    """The file's rows as ``read.read_rows`` gives them, read by a limited subprocess."""
    cpu, memory, wall = process_limits()
    suffix = PurePath(file_name).suffix.lower()[:10]
    output = tempfile.TemporaryFile()
    with tempfile.NamedTemporaryFile(suffix=suffix) as source:
        binary.seek(0)
        shutil.copyfileobj(binary, source)
        source.flush()
        command = [sys.executable, "-m", "enterprises.imports.sandbox", source.name, file_name,
                   sheet_name, json.dumps(limits.as_dict()), str(cpu), str(memory)]
        environment = {key: value for key, value in os.environ.items()
                       if key != "DJANGO_SETTINGS_MODULE"}
        try:
            child = subprocess.run(command, stdout=output, stderr=subprocess.PIPE,
                                   timeout=wall, cwd=settings.BASE_DIR, env=environment)
        except subprocess.TimeoutExpired:
            output.close()
            raise too_costly() from None
    if child.returncode != 0:
        output.close()
        raise refusal(child) if child.returncode == REFUSED else too_costly()
    output.seek(0)
    found = json.loads(output.readline())

    def rows():
        with output:
            for line in output:
                number, values = json.loads(line)
                yield number, values

    return read.Rows(rows(), found["description"], found["header_search"])


def refusal(child):
    """The child's refusal, to be translated here."""
    sent = json.loads(child.stderr.decode().strip().splitlines()[-1])
    return read.UnreadableFile(_(sent["message"]), **sent["params"])  # noqa: INT001


def run_child(path, file_name, sheet_name, limits, cpu, memory):
    """In the subprocess: limit it, read the file, write what was read to stdout."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # Messages stay untranslated here: the parent translates them.
    settings.configure(USE_I18N=False)
    output = sys.stdout
    try:
        with open(path, "rb") as binary:
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
    output.flush()
    return 0


if __name__ == "__main__":
    path, name, sheet, limits, cpu, memory = sys.argv[1:]
    sys.exit(run_child(path, name, sheet, json.loads(limits), int(cpu), int(memory)))
