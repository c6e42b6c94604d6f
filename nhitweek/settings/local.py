"""The embedded default: what `make run` and `manage.py` use when nothing else is chosen.

DEBUG is off, as everywhere (base.py): visitors of a demo get the site's own 404 and 500 pages,
never Django's debug pages with the URL patterns and settings, and the console still logs every
traceback. A developer who wants tracebacks in the browser says so: `DEBUG=true make run`.
Static files are served from the source folders as they are edited, DEBUG or not.
The secret key is generated once into var/secret_key so sessions survive restarts without a
key ever entering the repository.
"""

from __future__ import annotations

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR
from .env import env_str

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

VAR_DIR.mkdir(parents=True, exist_ok=True)
if not env_str("SECRET_KEY"):
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
