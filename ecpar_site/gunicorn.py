"""gunicorn settings for ``scripts/serve`` (``--config python:ecpar_site.gunicorn``)."""

import gc
import logging


def post_worker_init(worker):
    warm_up_worker()


def warm_up_worker():
    """Build the ``DirectoryIndex`` in memory before the worker takes its first request, then
    leave everything loaded so far out of the garbage collector's passes.

    Without the build, the first listing each new worker serves (and workers are recycled
    every thousand requests) pays it; a database that is down only delays it to that first
    request. The modules, templates and index loaded by then live as long as the worker, and a
    full collection walking all of them again would slow the request it falls on
    (docs/performance.md; ``benchmark_directory`` warms up the same way).
    """
    from django.db import DatabaseError, connections

    from enterprises.directory_index import current_index

    try:
        current_index()
    except DatabaseError:
        logging.getLogger(__name__).warning("directory index not built at start", exc_info=True)
    finally:
        connections.close_all()
    gc.freeze()
