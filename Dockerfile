# One image for every nhitweek process: web (gunicorn + whitenoise), migrate, worker and beat.
# docker-compose.yml picks the process with `command:`; the default is the web server.
# No Node.js: the front-end files are committed in static/vendor/ (see scripts/vendor_static.sh).
# Python is the one CI always runs the suite on; requires-python allows newer, e.g.
# `docker build --build-arg PYTHON_VERSION=3.13 .` (CI also runs the suite on a newer one when
# the machine has it).
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=nhitweek.settings.production \
    NHITWEEK_VAR_DIR=/app/var

# A fixed uid/gid so volumes and file ownership are predictable across rebuilds.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt

# The code stays owned by root, so the app user cannot rewrite it; only var/ is writable
# (used by the embedded SQLite/filesystem-broker mode when DATABASE_URL/REDIS_URL are unset).
COPY . .
RUN mkdir -p /app/var && chown app:app /app/var

# Production settings refuse to load without SECRET_KEY and ALLOWED_HOSTS. This RUN alone gets
# a random throwaway key and a placeholder host, as shell variables of that one command; neither
# is written into the image's ENV, so the running containers must be given real ones.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput

USER app
EXPOSE 8000

CMD ["gunicorn", "nhitweek.wsgi:application"]
