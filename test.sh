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
. tests/postgres/start.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }   # a private PostgreSQL; exports RAG_POSTGRES
log=$(mktemp)
dotnet test RagService.sln -c Release --no-build -v q --logger "console;verbosity=minimal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
bench/smoke.sh 2>&1 | tee -a "$log" || rc=1   # every benchmark once at tiny sizes; its result line joins the totals
# Each test project prints "Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" or "Passed!  - ...".
read -r passed failed skipped < <(grep -oE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" |
  awk -F'[:,]' '{f+=$2; p+=$4; s+=$6} END {printf "%d %d %d\n", p, f, s}')
projects=$(grep -cE '(Passed|Failed)! +-' "$log")
# Which test classes skipped cases (e.g. the Qdrant conformance cases without RAG_QDRANT_URL), and why. xUnit prints a
# skip's reason only at normal verbosity, which also prints every test and the services' logs, so the classes that
# skipped are listed again at that verbosity (seconds: their cases skip) and the distinct reasons go on the totals line.
skipped_classes=$(grep -oE '[A-Za-z0-9_.]+ \[SKIP\]' "$log" | sed -E 's/\.[A-Za-z0-9_]+ \[SKIP\]$//' | sort | uniq -c | awk '{print $2 ":" $1}')
reasons=""
for entry in $skipped_classes; do
  class=${entry%%:*}; project=tests/$(echo "$class" | sed -E 's/^(.*\.Tests)\..*$/\1/')
  echo "skipped: ${entry##*:} in $class"
  reasons+=$(dotnet test "$project" -c Release --no-build -v q --filter "FullyQualifiedName~$class" --logger "console;verbosity=normal" 2>&1 |
    awk '/\[SKIP\]$/ {getline; sub(/^\[xUnit\.net [0-9:.]+\] +/, ""); print}')$'\n'
done
reasons=$(printf '%s' "$reasons" | grep -v '^$' | sort -u | paste -sd';' | sed 's/;/; /g')
rm -f "$log"
# The web console's browser tests leave screenshots for a person to look at.
for shot in tests/RagService.Console.Tests/bin/Release/*/screenshots/*.png; do
  [ -f "$shot" ] && echo "console screenshot: $ROOT/$shot"
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a crashed or unbuilt test host counts as a failure
echo "test projects reported: $projects"
echo "$passed passed, $failed failed, $skipped skipped${reasons:+ (skipped: $reasons)}"
exit "$rc"
