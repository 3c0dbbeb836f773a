#!/usr/bin/env bash
# Checks docker-compose.yml and deploy/kubernetes/ without Docker or Kubernetes (neither runs on the development
# machines): deploy/check_deployment.py (offline, about a second: every environment name is a key or variable the
# service reads, every probe path a route it maps, references between manifests resolve; with a self-test that
# misspellings are caught), then, when npm can install deploy/check's two packages, the Kubernetes objects against the
# API schemas (deploy/check/validate-kubernetes.mjs). Not part of ./test.sh: the schema step needs the npm registry once.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 deploy/check_deployment.py --self-test
if [ -d deploy/check/node_modules ] || (cd deploy/check && npm ci --no-audit --no-fund >/dev/null 2>&1); then
  (cd deploy/check && node validate-kubernetes.mjs)
else
  echo "check-deployment: npm could not install deploy/check's packages; Kubernetes schema validation skipped"
fi
