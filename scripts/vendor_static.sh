#!/usr/bin/env bash
# Maintainers' upgrade tool for the committed front-end files in static/vendor/ (Chart.js, its
# Luxon adapter, Luxon, htmx, with their licences). Running the site never needs it, nor Node.
#
#   scripts/vendor_static.sh [DEST]   (default: static/vendor; DEST holds only these files)
#
# Installs exactly what package-lock.json pins (npm ci, in a scratch directory) and copies the
# files the pages load into DEST, replacing what was there. `make vendor-check` runs it into an
# empty directory and diffs the result with the committed files, byte for byte.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/static/vendor}
command -v npm >/dev/null || {
  echo "npm is needed to upgrade the front-end packages (Node.js with npm); running the site is not." >&2
  exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/package.json" "$root/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
modules=$work/node_modules
out=$work/vendor
mkdir "$out"

# Chart.js's last line names its source map (975 KB, for debugging Chart.js's own sources; we
# never ship it). ManifestStaticFilesStorage rewrites such references and stops collectstatic
# when the map is missing, so the line is dropped from every file, with the line-start match
# Django applies: no upgrade can bring the failure back.
script() { sed '/^\/\/# sourceMappingURL=/d' "$modules/$1" >"$out/$2"; }
script chart.js/dist/chart.umd.min.js chart.umd.min.js
script luxon/build/global/luxon.min.js luxon.min.js
script chartjs-adapter-luxon/dist/chartjs-adapter-luxon.umd.min.js chartjs-adapter-luxon.umd.min.js
script htmx.org/dist/htmx.min.js htmx.min.js

# One licence per package whose code is in those files; @kurkle/color is bundled into Chart.js.
for pkg in chart.js @kurkle/color luxon chartjs-adapter-luxon htmx.org; do
  licence=$(find "$modules/$pkg" -maxdepth 1 -iname 'LICENSE*' | sort | head -n1)
  [ -n "$licence" ] || { echo "no LICENSE file in $pkg" >&2; exit 1; }
  name=${pkg#@}
  cp "$licence" "$out/LICENSE.${name//\//-}"
done

mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 -type f -delete
cp "$out"/* "$dest"/
echo "front-end packages copied to ${dest#"$root"/}"
