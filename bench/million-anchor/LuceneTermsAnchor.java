import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.apache.lucene.analysis.core.WhitespaceAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInvertState;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.LogByteSizeMergePolicy;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.lucene.store.FSDirectory;

/**
 * The Java Lucene 8 side of bench/million.sh. Indexes DIR/chunks.tsv (chunk id TAB whitespace-joined analyzed terms,
 * written by `rag bench-scale --step anchor`) once per similarity under DIR/lucene8-SIM, in chunk id order with a merge
 * policy that keeps that order (so score ties break by chunk id, as in RagService), then answers DIR/queries.tsv top 100
 * (one SHOULD clause per query term, repeats kept) on one thread, timed on a second pass, and writes DIR/lucene8-SIM.tsv.
 *   SIM bm25:  BM25Similarity(k1 1.2, b 0.75): Lucene's own, lengths stored as lossy one-byte norms.
 *   SIM exact: the same BM25 with each document's exact length as its norm.
 * usage: java LuceneTermsAnchor DIR bm25|exact
 */
public final class LuceneTermsAnchor {
    private static final float K1 = 1.2f;
    private static final float B = 0.75f;
    private static final int TOP = 100;

    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args[0]);
        String name = args[1];
        Similarity similarity = switch (name) {
            case "bm25" -> new BM25Similarity(K1, B);
            case "exact" -> new ExactLengthBm25();
            default -> throw new IllegalArgumentException("similarity must be bm25 or exact, not " + name);
        };
        Path index = dir.resolve("lucene8-" + name);
        if (!Files.exists(index.resolve("complete"))) {
            build(dir.resolve("chunks.tsv"), index, similarity);
        }

        List<String[]> queries = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("queries.tsv"), StandardCharsets.UTF_8)) {
            String terms = line.substring(line.indexOf('\t') + 1);
            queries.add(terms.isEmpty() ? new String[0] : terms.split(" "));
        }

        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(index))) {
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setSimilarity(similarity);
            long[] chunkIds = chunkIds(reader);
            // One untimed pass first, as on the RagService side: both runtimes compile their hot paths before the timed pass.
            for (String[] query : queries) {
                search(searcher, query, chunkIds);
            }

            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            long wallStart = System.nanoTime();
            List<String> ranks = new ArrayList<>(queries.size());
            for (int i = 0; i < queries.size(); i++) {
                ranks.add(i + "\t" + search(searcher, queries.get(i), chunkIds));
            }

            double wall = (System.nanoTime() - wallStart) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve("lucene8-" + name + ".tsv"), StandardCharsets.UTF_8))) {
                ranks.forEach(out::println);
            }

            System.out.printf("Java Lucene 8 (%s): %d queries top %d, one caller: %.1f QPS wall, %.1f per CPU second; %d docs, %d segments%n",
                name, queries.size(), TOP, queries.size() / wall, queries.size() / cpu, reader.numDocs(), reader.leaves().size());
        }
    }

    private static String search(IndexSearcher searcher, String[] terms, long[] chunkIds) throws IOException {
        if (terms.length == 0) {
            return "";
        }

        BooleanQuery.Builder query = new BooleanQuery.Builder();
        for (String term : terms) {
            query.add(new TermQuery(new Term("body", term)), BooleanClause.Occur.SHOULD);
        }

        TopDocs top = searcher.search(query.build(), TOP);
        StringBuilder ids = new StringBuilder();
        for (ScoreDoc hit : top.scoreDocs) {
            if (ids.length() > 0) {
                ids.append(' ');
            }
            ids.append(chunkIds[hit.doc]);
        }
        return ids.toString();
    }

    private static void build(Path chunks, Path index, Similarity similarity) throws IOException {
        long start = System.nanoTime();
        IndexWriterConfig config = new IndexWriterConfig(new WhitespaceAnalyzer())
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
            .setSimilarity(similarity)
            .setRAMBufferSizeMB(256)
            .setMergePolicy(new LogByteSizeMergePolicy());
        int count = 0;
        try (IndexWriter writer = new IndexWriter(FSDirectory.open(index), config);
             BufferedReader in = Files.newBufferedReader(chunks, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                int tab = line.indexOf('\t');
                Document doc = new Document();
                doc.add(new NumericDocValuesField("cid", Long.parseLong(line.substring(0, tab))));
                doc.add(new TextField("body", line.substring(tab + 1), Field.Store.NO));
                writer.addDocument(doc);
                count++;
            }
            writer.commit();
        }
        Files.createFile(index.resolve("complete"));
        System.out.printf("Java Lucene 8 (%s): indexed %d chunks in %.0f s%n", index.getFileName(), count, (System.nanoTime() - start) / 1e9);
    }

    private static long[] chunkIds(DirectoryReader reader) throws IOException {
        long[] ids = new long[reader.maxDoc()];
        for (LeafReaderContext leaf : reader.leaves()) {
            NumericDocValues values = leaf.reader().getNumericDocValues("cid");
            int doc;
            while ((doc = values.nextDoc()) != NumericDocValues.NO_MORE_DOCS) {
                ids[leaf.docBase + doc] = values.longValue();
            }
        }
        return ids;
    }

    /**
     * BM25 with exact document lengths: the norm is the token count itself rather than Lucene's one-byte encoding.
     * Score per term: boost * idf * tf / (tf + k1 * (1 - b + b * length / avgdl)), idf = ln(1 + (N - n + 0.5) / (n + 0.5)).
     * It grows with tf and falls with length, as Lucene's block-max scoring requires.
     */
    static final class ExactLengthBm25 extends Similarity {
        @Override
        public long computeNorm(FieldInvertState state) {
            return state.getLength() - state.getNumOverlap();
        }

        @Override
        public SimScorer scorer(float boost, CollectionStatistics collection, TermStatistics... terms) {
            double idf = 0;
            for (TermStatistics term : terms) {
                idf += Math.log(1 + (collection.docCount() - term.docFreq() + 0.5) / (term.docFreq() + 0.5));
            }
            double weight = boost * idf;
            double averageLength = collection.sumTotalTermFreq() / (double) collection.docCount();
            return new SimScorer() {
                @Override
                public float score(float freq, long norm) {
                    return (float) (weight * freq / (freq + K1 * (1 - B + B * norm / averageLength)));
                }
            };
        }
    }
}
