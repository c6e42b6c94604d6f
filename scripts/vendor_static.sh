#!/usr/bin/env bash
# Install the front-end packages pinned in package-lock.json and copy the files the pages load
# into static/vendor/, which Django serves as its own static files (no CDN at run time).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "npm is needed for the front-end packages (Node.js 18 or newer)."; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
mkdir -p static/vendor
cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart.umd.min.js
cp node_modules/luxon/build/global/luxon.min.js static/vendor/luxon.min.js
cp node_modules/chartjs-adapter-luxon/dist/chartjs-adapter-luxon.umd.min.js \
  static/vendor/chartjs-adapter-luxon.umd.min.js
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
for pkg in chart.js luxon chartjs-adapter-luxon htmx.org; do
  cp "node_modules/$pkg/LICENSE"* "static/vendor/LICENSE.$pkg" 2>/dev/null || true
done
touch static/vendor/.stamp
echo "front-end packages copied to static/vendor/"
