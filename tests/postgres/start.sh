# Sourced by test.sh: starts a private PostgreSQL cluster for this test run and exports RAG_POSTGRES (a superuser
# connection string; each test class creates its own database through it). The cluster listens on a Unix socket in
# its own temporary folder only (no TCP port, so parallel runs never collide) and is stopped and removed at exit.
# PostgreSQL refuses to run as root: as root it runs as the `postgres` user (created as `ragtest` when absent).
# When RAG_POSTGRES is already set (a CI service container), it is used as it is and nothing is started.
# Usage: . tests/postgres/start.sh
rag_pg_start() {
  if [ -n "${RAG_POSTGRES:-}" ]; then echo "postgres: using RAG_POSTGRES as given"; return 0; fi
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then echo "postgres: no server binaries (apt-get install postgresql); PostgreSQL tests will skip"; return 0; fi
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    if ! id "$user" >/dev/null 2>&1; then user=ragtest; id "$user" >/dev/null 2>&1 || useradd --system --no-create-home "$user"; fi
    run=(runuser -u "$user" --)
  fi
  RAG_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ragsvc-pg.XXXXXX")
  chmod 755 "$RAG_PG_DIR"
  [ "${#run[@]}" -gt 0 ] && chown "${run[2]}" "$RAG_PG_DIR"
  RAG_PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$RAG_PG_DIR/data" -m immediate -w stop)
  "${run[@]}" "$bin/initdb" -D "$RAG_PG_DIR/data" -U rag -A trust -E UTF8 --locale=C --no-sync >"$RAG_PG_DIR/initdb.log" 2>&1 ||
    { echo "postgres: initdb failed:"; cat "$RAG_PG_DIR/initdb.log"; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$RAG_PG_DIR/data" -l "$RAG_PG_DIR/server.log" -w -t 60 \
    -o "-k $RAG_PG_DIR -c listen_addresses='' -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null ||
    { echo "postgres: the server did not start:"; cat "$RAG_PG_DIR/server.log"; return 1; }
  export RAG_POSTGRES="Host=$RAG_PG_DIR;Port=5432;Username=rag;Database=postgres"
  trap 'rag_pg_stop' EXIT
  echo "postgres: private cluster at $RAG_PG_DIR ($("$bin/postgres" --version))"
}
rag_pg_stop() {
  "${RAG_PG_STOP[@]}" >/dev/null 2>&1
  rm -rf "$RAG_PG_DIR"
}
rag_pg_start
