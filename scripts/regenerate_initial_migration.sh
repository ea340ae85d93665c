#!/usr/bin/env bash
# While nothing is in production, the schema is one reviewed initial migration. This rebuilds it
# from the models on a scratch SQLite file; review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
rm -f migrations/versions/*.py
DATABASE_URL="sqlite:///$scratch/scratch.sqlite" .venv/bin/wijkbudget db migrate -m "initial schema" --rev-id 0001 >/dev/null
.venv/bin/ruff format migrations/versions >/dev/null
echo "migrations/versions/0001_initial_schema.py regenerated"
