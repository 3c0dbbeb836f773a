"""After the crash phase of bench/load-fault.sh: checks in the SQLite file itself (the service stopped) that every file of
the folder is a document, none is missing or extra, and each document is whole: its chunk rows match its chunk_count and
all of them carry one revision (never a mix of the old and the new). Prints one JSON object; exit code 1 on any problem."""
import json, sqlite3, sys

db, collection, expected_docs, revision = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
cid = con.execute("SELECT id FROM collections WHERE name = ?", (collection,)).fetchone()[0]
problems = []
docs = con.execute("SELECT id, doc_key, chunk_count FROM documents WHERE collection_id = ?", (cid,)).fetchall()
if len(docs) != expected_docs:
    problems.append(f"{len(docs)} documents, expected {expected_docs}")
stale = 0
for doc_id, key, chunk_count in docs:
    texts = [t for (t,) in con.execute("SELECT text FROM chunks WHERE document_id = ? ORDER BY ordinal", (doc_id,))]
    if len(texts) != chunk_count:
        problems.append(f"{key}: {len(texts)} chunk rows, chunk_count {chunk_count}")
    revisions = {w for t in texts for w in t.split() if w.startswith("rev") and w[3:].isalpha()}
    if len(revisions) != 1:
        problems.append(f"{key}: chunks from revisions {sorted(revisions)}")
    elif revision not in revisions:
        stale += 1
print(json.dumps({"documents": len(docs), "not_at_new_revision": stale, "problems": problems[:10], "problem_count": len(problems)}))
sys.exit(1 if problems or stale else 0)
