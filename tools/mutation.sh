#!/usr/bin/env bash
# Mutation testing for one src project against its unit-test project (Stryker.NET, installed into .tools/).
# Usage: tools/mutation.sh Core|Lexical.Memory|Vectors.Hnsw [extra dotnet-stryker arguments]
# Prints the score over all mutants and over covered ones, the survivors per file and the report path.
# Not part of ./test.sh: a Core run takes tens of minutes. Run it under `nice -n 19` on a shared machine.
# The mutate filters, timeout and concurrency live in src/RagService.PROJECT/stryker-config.json.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STRYKER_VERSION=5.1.0
project=${1:?usage: tools/mutation.sh Core|Lexical.Memory|Vectors.Hnsw [dotnet-stryker args]}
shift
src="$ROOT/src/RagService.$project"
config="$src/stryker-config.json"
[ -f "$config" ] || { echo "no $config: mutation runs are set up for Core, Lexical.Memory and Vectors.Hnsw" >&2; exit 2; }

tools="$ROOT/.tools"
if ! "$tools/dotnet-stryker" --version 2>/dev/null | grep -q "$STRYKER_VERSION"; then
  dotnet tool install dotnet-stryker --version "$STRYKER_VERSION" --tool-path "$tools" >/dev/null ||
    dotnet tool update dotnet-stryker --version "$STRYKER_VERSION" --tool-path "$tools" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out="$ROOT/.tools/mutation/$project/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
start=$(date +%s)
(cd "$src" && "$tools/dotnet-stryker" --config-file stryker-config.json --output "$out" "$@")
elapsed=$(( $(date +%s) - start ))

report="$out/reports/mutation-report.json"
[ -f "$report" ] || { echo "no JSON report at $report" >&2; exit 1; }
python3 - "$report" "$ROOT" "$elapsed" <<'PY'
import json, sys, collections
report, root, elapsed = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = json.load(open(report))["files"]
totals = collections.Counter()
survivors = {}
for path, f in files.items():
    per = collections.Counter(m["status"] for m in f["mutants"])
    totals.update(per)
    left = [m for m in f["mutants"] if m["status"] in ("Survived", "NoCoverage")]
    if left:
        survivors[path.replace(root + "/", "")] = (per, left)
killed = totals["Killed"] + totals["Timeout"]
covered = killed + totals["Survived"]
valid = covered + totals["NoCoverage"]
pct = lambda a, b: f"{100.0 * a / b:.1f}%" if b else "n/a"
print(f"\nmutants: {valid} (killed {totals['Killed']}, timeout {totals['Timeout']}, survived {totals['Survived']}, "
      f"no coverage {totals['NoCoverage']}; not counted: compile error {totals['CompileError']}, ignored {totals['Ignored']})")
print(f"score of all mutants: {pct(killed, valid)}   score of covered mutants: {pct(killed, covered)}")
print(f"run time: {elapsed // 60} min {elapsed % 60} s")
print("\nsurvivors per file (survived / no coverage):")
for path, (per, left) in sorted(survivors.items(), key=lambda kv: -len(kv[1][1])):
    print(f"  {per['Survived']:4d} {per['NoCoverage']:4d}  {path}")
    for m in sorted(left, key=lambda m: m["location"]["start"]["line"]):
        if m["status"] == "Survived":
            print(f"           line {m['location']['start']['line']}: {m['mutatorName']}: {m.get('replacement', '')[:80]!r}")
PY
echo "report: ${report%.json}.html"
