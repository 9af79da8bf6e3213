#!/usr/bin/env bash
# Piping corpus-clean into jq. Run from the repository root after installing (see README).
set -euo pipefail
corpus=${1:-seeds/}

echo "# date and title of every dated article, newest first"
corpus-clean run "$corpus" --quiet | jq -r 'select(.date != null) | [.date, (.title // "(untitled)")] | @tsv' | sort -r

echo "# articles shown on more than one page (teasers), with how many pages"
corpus-clean run "$corpus" --quiet | jq -r 'select(.sources | length > 1) | "\(.sources | length) pages: \(.text[0:70])…"'

echo "# a CI-style check: fail if any article text still holds a navigation line"
corpus-clean run "$corpus" --quiet | jq -e 'select(.text | test("Go back|Back to the section")) | .id' >/dev/null \
  && { echo "chrome leaked"; exit 1; } || echo "no chrome leaked"
