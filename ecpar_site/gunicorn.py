"""gunicorn settings for ``scripts/serve`` (``--config python:ecpar_site.gunicorn``)."""


def post_worker_init(worker):
    # Imported here: gunicorn reads this module before Django is set up in the worker.
    from enterprises.warm_up import warm_up_worker

    warm_up_worker()
