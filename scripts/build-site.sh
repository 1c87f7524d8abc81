#!/usr/bin/env bash
# One command for the static site: builds what it needs (scripts/setup.sh, idempotent), then
# writes site/ (scripts/build-site.mjs). Copy site/ to any static host, under any path.
#   scripts/build-site.sh [--out DIR] [--note TEXT]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec node scripts/build-site.mjs "$@"
