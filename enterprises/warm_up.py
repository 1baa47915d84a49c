"""What an app server's worker does before its first request (``ecpar_site.gunicorn``), and
what ``benchmark_directory`` does to measure pages as such a worker serves them."""

import gc
import logging

from django.db import DatabaseError, connections

from .directory_index import current_index


def warm_up_worker():
    """Build the ``DirectoryIndex`` in memory before the worker takes its first request, then
    leave everything loaded so far out of the garbage collector's passes.

    Without the build, the first listing each new worker serves (and workers are recycled
    every thousand requests) pays it; a database that is down only delays it to that first
    request. The modules, templates and index loaded by then live as long as the worker, and a
    full collection walking all of them again would slow the request it falls on
    (docs/performance.md).
    """
    try:
        current_index()
    except DatabaseError:
        logging.getLogger(__name__).warning("directory index not built at start", exc_info=True)
    finally:
        connections.close_all()
    gc.freeze()
