"""gunicorn's settings for this project, read from the working directory by every
``gunicorn config.wsgi`` started here (run.sh, README's Production steps, the tests).

``preload_app``: the master imports Django and the project once, then forks the workers,
which share those pages copy-on-write: a worker starts in milliseconds instead of a second
of CPU each, and 4 workers take one set of module memory, not four. Nothing at import opens
a connection or a thread (database connections open on the first request, Celery's
broker on the first task sent), so nothing is shared by accident between workers. The
cost: ``kill -HUP`` reloads the workers but not the code; deploy a new release with a
restart, as README says.
"""

preload_app = True
