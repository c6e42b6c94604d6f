"""gunicorn's settings for the web process: the Dockerfile and docker-compose.yml both read this.

gunicorn loads ./gunicorn.conf.py by itself, so both just run `gunicorn nhitweek.wsgi:application`.
One-off overrides go in GUNICORN_CMD_ARGS (e.g. "--log-level debug"), which gunicorn also reads.
"""

import os

# Inside a container the port is published by Compose; PORT is what most platforms hand in.
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
# gunicorn's own default for WEB_CONCURRENCY is 1; three sync workers keep a slow export from
# holding up the dashboard on a small host. Compose sets it explicitly.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))

# The worker heartbeat file: on /dev/shm it never waits on a slow or overlay disk, which would
# otherwise get healthy workers killed as unresponsive.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn's own advice for containers

# Requests are short reads of cached JSON; 60 s leaves room for the CSV exports and still kills
# a worker stuck on a dead connection. Restarts wait as long as the longest request may run.
timeout = 60
graceful_timeout = 60
# A proxy in front keeps connections open; answer on them for a little longer than gunicorn's 2 s.
keepalive = 5
# A worker is replaced after about a thousand requests, so slow memory growth cannot pile up.
max_requests = 1000
max_requests_jitter = 100

# Logs go to the container's stdout and stderr, where `docker compose logs` reads them.
accesslog = "-"
errorlog = "-"

# The control socket lets anyone with access to the file manage the workers at run time;
# nothing here uses it, and the code directory is read-only for the app user anyway.
control_socket_disable = True
