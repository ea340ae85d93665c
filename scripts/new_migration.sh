#!/usr/bin/env bash
# Write the Alembic revision for a model change: upgrades a scratch SQLite file to the current head, lets
# Alembic compare it with the models, and writes migrations/versions/<REV_ID>_<slug>.py. Review it (rename
# things Alembic sees as drop + add, add data steps) before committing. The initial migration 0001 is frozen.
#   scripts/new_migration.sh 0003_support "proposal support"
set -euo pipefail
cd "$(dirname "$0")/.."
rev_id=${1:?usage: scripts/new_migration.sh REV_ID "message"}
message=${2:?usage: scripts/new_migration.sh REV_ID "message"}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export DATABASE_URL="sqlite:///$scratch/scratch.sqlite"
.venv/bin/wijkbudget db upgrade >/dev/null
.venv/bin/wijkbudget db migrate -m "$message" --rev-id "$rev_id" >/dev/null
.venv/bin/ruff format migrations/versions >/dev/null
ls migrations/versions/"$rev_id"_*.py
