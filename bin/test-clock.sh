#!/usr/bin/env bash
# Runs the test suite under libfaketime at awkward local times and in several machine time zones, so
# that no test depends on the hour it runs at or on the machine's zone (README: "Tests and checks").
# Each run's fake clock starts at the given instant and runs on. Needs Debian's `faketime` package.
# One setting (the night the clocks go back) runs the whole suite; the other five leave out the slowest
# files (the CLI's processes, the pages in Chromium, the scrypt sign-ins, the Worker in workerd: together
# over two minutes of a run), whose time logic runs on the harness's fake clock and is covered by the full
# run and by `npm run check` before it, and files that read no clock at all (the XState equivalence
# replay, the safety detector's phrases and evaluation, the Teams package, the Workers bundle and its zod,
# the layers, the content catalog, the flow graphs, the phone metadata). CI stays under 20 minutes.
#
# Usage: npm run test:clock [-- vitest args, e.g. test/cli]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null; then
  echo "test:clock needs libfaketime: apt-get install -y faketime" >&2
  exit 1
fi

# instant (ISO 8601 with its offset) | TZ of the test process | scope | why
RUNS=(
  "2026-12-07T03:10:00+01:00|Europe/Oslo|core|03:10 Oslo: a night message; replies wait for the send window"
  "2026-12-07T07:59:00+01:00|UTC|core|07:59 Oslo: one minute before the send window opens; machine on UTC"
  "2026-12-07T20:30:00+01:00|America/New_York|core|20:30 Oslo: reminders 24 h later fall near the window's end"
  "2026-12-07T23:59:00+01:00|Pacific/Auckland|core|23:59 Oslo: after the send window closes, and the day changes during the run; machine ahead of UTC"
  "2026-03-29T01:59:00+01:00|Europe/Oslo|core|spring forward: 02:00 Oslo becomes 03:00 during the run"
  "2026-10-25T02:59:00+02:00|Europe/Oslo|full|fall back: 03:00 CEST becomes 02:00 CET during the run"
)
SLOW=(--exclude test/cli/cli.test.ts --exclude test/web/workspace-browser.test.ts --exclude test/web/staff-auth.test.ts
  --exclude test/web/guided-journey-browser.test.ts --exclude test/web/chat-browser.test.ts
  --exclude test/web/workspace-idle-browser.test.ts
  --exclude test/worker/worker.test.ts --exclude test/worker/cold-start.test.ts
  --exclude test/engine/xstate-equivalence.test.ts --exclude test/domain/safety.test.ts
  --exclude test/channels/botframework/teams-package.test.ts
  --exclude test/worker/botframework.test.ts --exclude test/worker/bundle.test.ts --exclude test/worker/zod-workers.test.ts
  --exclude test/architecture/boundary.test.ts --exclude test/content/catalog.test.ts --exclude test/safety/eval.test.ts
  --exclude test/domain/safety-bare-files.test.ts --exclude test/domain/phone-metadata.test.ts
  --exclude test/flows/graph.test.ts)

# A test that fails is tried once more in the same run (`--retry=1`): what depends on the clock fails both
# times at the same fake instant, while a rare stall of a loaded 2-core machine does not fail CI.
# Each run's output is kept, so that the summary can name the tests that failed: CI shows only the end.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed=()
n=0
for run in "${RUNS[@]}"; do
  n=$((n + 1))
  IFS='|' read -r instant zone scope why <<<"$run"
  # An offset from the real clock rather than "@YYYY-MM-DD HH:MM:SS": faketime reads the latter as local
  # time and so cannot name 02:59 CEST on the night the clocks go back. The fake clock runs on.
  offset=$(($(date -d "$instant" +%s) - $(date +%s)))
  [ "$offset" -ge 0 ] && offset="+$offset"
  echo "== $why (TZ=$zone, clock from $instant, $scope suite)"
  extra=()
  [ "$scope" = core ] && extra=("${SLOW[@]}")
  if ! TZ="$zone" faketime -f "$offset" npx vitest run --reporter=dot --retry=1 "${extra[@]}" "$@" 2>&1 | tee "$logs/$n.log"; then
    failed+=("$why (TZ=$zone)")
    # vitest's "FAIL file > suite > test" lines, without colours.
    while IFS= read -r line; do failed+=("    $line"); done < <(
      sed 's/\x1b\[[0-9;]*m//g' "$logs/$n.log" | grep -E '^ *FAIL ' | sort -u | head -20
    )
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'test:clock failed at:\n' >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "test:clock: the suite passed at all ${#RUNS[@]} clock settings"
