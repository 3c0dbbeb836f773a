#!/usr/bin/env bash
# Checks docker-compose.yml and deploy/kubernetes/ without Docker or Kubernetes (neither runs on the development
# machines): deploy/check_deployment.py (offline, about a second: every environment name is a key or variable the
# service reads, every probe path a route it maps, references between manifests resolve; with a self-test that
# misspellings are caught), then, when npm can install deploy/check's two packages, the Kubernetes objects against the
# API schemas (deploy/check/validate-kubernetes.mjs), and docker-compose.yml with `docker-compose config` per profile
# when docker-compose is installed. Not part of ./test.sh: the schema step needs the npm registry once.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 deploy/check_deployment.py --self-test
# The compose file against the compose specification, as Compose itself reads it (Debian's docker-compose 1.29.2 takes
# --profile; `config -q` validates and interpolates without printing). The default deployment must not need the
# cluster's variables.
if command -v docker-compose >/dev/null; then
  env -u POSTGRES_PASSWORD -u RAG_BOOTSTRAP_KEY docker-compose -f docker-compose.yml config -q
  for profile in cluster gpu; do
    POSTGRES_PASSWORD=check RAG_BOOTSTRAP_KEY=check-deployment-bootstrap-key-0123 docker-compose -f docker-compose.yml --profile "$profile" config -q
  done
  echo "check-deployment: docker-compose $(docker-compose version --short) validated docker-compose.yml (default, cluster, gpu)"
else
  echo "check-deployment: docker-compose not installed (apt-get install -y docker-compose); compose specification check skipped"
fi
if [ -d deploy/check/node_modules ] || (cd deploy/check && npm ci --no-audit --no-fund >/dev/null 2>&1); then
  (cd deploy/check && node validate-kubernetes.mjs)
else
  echo "check-deployment: npm could not install deploy/check's packages; Kubernetes schema validation skipped"
fi
