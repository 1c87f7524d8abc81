#!/usr/bin/env bash
# One command to serve the app on http://127.0.0.1:${PORT:-8080}/ (installs and builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec node scripts/serve.mjs "$@"
