"""gunicorn settings for ``scripts/serve`` (``--config python:ecpar_site.gunicorn``)."""

import logging


def post_worker_init(worker):
    """Build the directory's in-memory facet index before the worker takes its first request.

    Otherwise the first listing each new worker serves (and workers are recycled every
    thousand requests) pays the build, about 0.7 s at 100 000 enterprises. A database that is
    down only delays the build to that first request.
    """
    from django.db import DatabaseError, connections

    from enterprises.facets import current_index

    try:
        current_index()
    except DatabaseError:
        logging.getLogger(__name__).warning("facet index not built at start", exc_info=True)
    finally:
        connections.close_all()
