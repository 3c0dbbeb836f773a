#!/usr/bin/env bash
# Runs every test project. Installs what the tests need first (deploy/setup.sh).
# Prints the totals over all test projects as the last line: "N passed, N failed, N skipped".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT"
deploy/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore RagService.sln || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
dotnet build RagService.sln -c Release --no-restore -v q || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
log=$(mktemp)
# Normal verbosity so that skipped tests print their reason; the per-test "Passed" lines stay out of the console.
dotnet test RagService.sln -c Release --no-build -v q --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" | grep -vE '^ +Passed '
rc=${PIPESTATUS[0]}
# Each test project prints "Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" or "Passed!  - ...".
read -r passed failed skipped < <(grep -oE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" |
  awk -F'[:,]' '{f+=$2; p+=$4; s+=$6} END {printf "%d %d %d\n", p, f, s}')
projects=$(grep -cE '(Passed|Failed)! +-' "$log")
# Which test classes skipped cases (e.g. the Qdrant conformance cases without RAG_QDRANT_URL), and why: xUnit prints
# the reason on the line after "[SKIP]". The distinct reasons also go on the totals line.
grep -oE '[A-Za-z0-9_.]+ \[SKIP\]' "$log" | sed -E 's/\.[A-Za-z0-9_]+ \[SKIP\]$//' | sort | uniq -c | awk '{print "skipped: " $1 " in " $2}'
reasons=$(awk '/\[SKIP\]$/ {getline; sub(/^\[xUnit\.net [0-9:.]+\] +/, ""); print}' "$log" | sort -u | paste -sd';' | sed 's/;/; /g')
rm -f "$log"
# The web console's browser tests leave screenshots for a person to look at.
for shot in tests/RagService.Console.Tests/bin/Release/*/screenshots/*.png; do
  [ -f "$shot" ] && echo "console screenshot: $ROOT/$shot"
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a crashed or unbuilt test host counts as a failure
echo "test projects reported: $projects"
echo "$passed passed, $failed failed, $skipped skipped${reasons:+ (skipped: $reasons)}"
exit "$rc"
