#!/usr/bin/env bash
# Downloads the ONNX models RagService can use into models/<name>/ (model.onnx + tokenizer files), pinned to a
# Hugging Face commit and checked against the sha256 in deploy/models.lock. Needs internet, curl and sha256sum.
#   deploy/download-models.sh [NAME...]      install the named models (default: all), verifying every file
#   deploy/download-models.sh --pin [NAME...] record each repo's current commit and the files' sha256 in models.lock
# Environment: RAG_MODELS_DIR (default <repo>/models), HF_ENDPOINT (default https://huggingface.co), HF_TOKEN (optional).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOCK="$ROOT/deploy/models.lock"
DEST=${RAG_MODELS_DIR:-$ROOT/models}
HF=${HF_ENDPOINT:-https://huggingface.co}
AUTH=(); [ -n "${HF_TOKEN:-}" ] && AUTH=(-H "Authorization: Bearer $HF_TOKEN")

pin=0
if [ "${1:-}" = "--pin" ]; then pin=1; shift; fi
wanted=" $* "

fetch() { # repo revision file output
  curl -fL --retry 3 "${AUTH[@]}" -o "$4" "$HF/$1/resolve/$2/$3"
}

resolve_commit() { # repo -> current commit sha of main
  curl -fsSL "${AUTH[@]}" "$HF/api/models/$1/revision/main" | sed -n 's/.*"sha":"\([0-9a-f]\{40\}\)".*/\1/p' | head -n1
}

tmp_lock=$(mktemp)
declare -A commits=()
status=0
while IFS= read -r line; do
  if [[ -z "$line" || "$line" == \#* ]]; then echo "$line" >> "$tmp_lock"; continue; fi
  read -r name repo revision file sha <<< "$line"
  if [[ "$repo" == nuget:* ]]; then echo "$line" >> "$tmp_lock"; continue; fi   # extracted by deploy/setup.sh, not downloaded
  if [ "$wanted" != "  " ] && [[ "$wanted" != *" $name "* ]]; then echo "$line" >> "$tmp_lock"; continue; fi
  target="$DEST/$name/$file"
  mkdir -p "$(dirname "$target")"
  if [ $pin = 1 ]; then
    commits[$repo]=${commits[$repo]:-$(resolve_commit "$repo")}
    revision=${commits[$repo]}
    [ -n "$revision" ] || { echo "cannot resolve the commit of $repo" >&2; exit 1; }
    fetch "$repo" "$revision" "$file" "$target.part"
    sha=$(sha256sum "$target.part" | cut -d' ' -f1)
    mv "$target.part" "$target"
    printf '%-26s %-38s %s  %-22s %s\n' "$name" "$repo" "$revision" "$file" "$sha" >> "$tmp_lock"
    echo "pinned $name/$file @ $revision"
    continue
  fi
  echo "$line" >> "$tmp_lock"
  if ! [[ "$revision" =~ ^[0-9a-f]{40}$ && "$sha" =~ ^[0-9a-f]{64}$ ]]; then
    echo "$name/$file is not pinned in deploy/models.lock; run deploy/download-models.sh --pin first" >&2
    status=1; continue
  fi
  if [ -f "$target" ] && [ "$(sha256sum "$target" | cut -d' ' -f1)" = "$sha" ]; then
    echo "ok      $name/$file"; continue
  fi
  fetch "$repo" "$revision" "$file" "$target.part"
  got=$(sha256sum "$target.part" | cut -d' ' -f1)
  if [ "$got" != "$sha" ]; then
    rm -f "$target.part"
    echo "checksum mismatch for $name/$file: expected $sha, got $got" >&2
    status=1; continue
  fi
  mv "$target.part" "$target"
  echo "fetched $name/$file"
done < "$LOCK"

if [ $pin = 1 ]; then mv "$tmp_lock" "$LOCK"; echo "updated $LOCK"; else rm -f "$tmp_lock"; fi
[ $status = 0 ] && echo "models in $DEST (point Onnx:Embedding:ModelDirectory / Onnx:Reranker:ModelDirectory at one of them)"
exit $status
