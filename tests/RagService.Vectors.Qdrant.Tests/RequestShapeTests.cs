using Google.Protobuf;
using Qdrant.Client.Grpc;
using RagService.Core.Access;
using RagService.Core.Indexing;
using RagService.Core.Chunking;
using RagService.Core.Storage;
using RagService.Storage.Sqlite;
using RagService.Tests.Shared;
using CollectionInfo = RagService.Core.Storage.CollectionInfo;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>
/// Pins the protobuf requests the adapter sends, without a server. Each expected message is written by hand as the
/// protobuf JSON of Qdrant's gRPC API (points.proto / collections.proto: Filter.must/should, FieldCondition.key with
/// Match.keyword / Match.keywords ("match any") / Match.integer or Range.gt/gte/lt, QueryPoints.query.nearest.dense,
/// SearchParams.hnsw_ef/exact/quantization.rescore), from the meaning the documentation gives each field.
/// </summary>
public sealed class RequestShapeTests
{
    private static readonly QdrantOptions Options = new() { Url = "http://localhost:6334", VectorName = "dense", HnswEf = 64 };

    private static T Parse<T>(string json)
        where T : IMessage<T>, new() => JsonParser.Default.Parse<T>(json);

    private static void AssertSame<T>(string expectedJson, T? actual)
        where T : IMessage<T>, new()
    {
        var expected = Parse<T>(expectedJson);
        Assert.True(expected.Equals(actual), $"expected {expected}\nactual   {actual}");
    }

    [Fact]
    public void An_empty_filter_sends_no_filter()
    {
        Assert.Null(QdrantRequests.Filter(SearchFilter.None));
        Assert.Null(QdrantRequests.Filter(new SearchFilter { DocumentIds = [], Metadata = new Dictionary<string, string>() }));
    }

    [Fact]
    public void Document_ids_are_one_match_any_on_the_document_field()
    {
        AssertSame("""{"must":[{"field":{"key":"doc_id","match":{"keywords":{"strings":["a","b c"]}}}}]}""",
            QdrantRequests.Filter(new SearchFilter { DocumentIds = ["a", "b c"] }));
    }

    [Fact]
    public void Each_metadata_pair_is_an_exact_keyword_match_that_must_hold()
    {
        AssertSame("""{"must":[{"field":{"key":"metadata_pairs","match":{"keyword":"lang\u001fzh"}}},{"field":{"key":"metadata_pairs","match":{"keyword":"team.name\u001fsearch"}}}]}""",
            QdrantRequests.Filter(new SearchFilter { Metadata = new Dictionary<string, string> { ["team.name"] = "search", ["lang"] = "zh" } }));
    }

    [Fact]
    public void An_access_scope_matches_any_of_its_principals_or_in_an_open_collection_no_access_field()
    {
        var scope = new SearchFilter { Access = new AccessScope(["user:a", "group:hr"]) };
        AssertSame("""{"must":[{"filter":{"should":[{"field":{"key":"access","match":{"keywords":{"strings":["group:hr","user:a"]}}}},{"isEmpty":{"key":"access"}}]}}]}""",
            QdrantRequests.Filter(scope, UnlistedAccess.Open));
        AssertSame("""{"must":[{"filter":{"should":[{"field":{"key":"access","match":{"keywords":{"strings":["group:hr","user:a"]}}}}]}}]}""",
            QdrantRequests.Filter(scope, UnlistedAccess.Closed));
    }

    [Fact]
    public void A_scope_without_principals_sees_unlisted_documents_of_open_collections_and_nothing_in_closed_ones()
    {
        var none = new SearchFilter { Access = new AccessScope([]) };
        AssertSame("""{"must":[{"filter":{"should":[{"isEmpty":{"key":"access"}}]}}]}""", QdrantRequests.Filter(none, UnlistedAccess.Open));
        AssertSame("""{"must":[{"filter":{"must":[{"isEmpty":{"key":"access"}}],"mustNot":[{"isEmpty":{"key":"access"}}]}}]}""",
            QdrantRequests.Filter(none, UnlistedAccess.Closed));
    }

    [Fact]
    public void Changing_access_sets_or_clears_the_field_on_the_documents_points_only()
    {
        var kb = new CollectionInfo(1, "kb", new CollectionSettings(), DateTimeOffset.UnixEpoch);
        var restricted = new IndexedDocument("a", new Dictionary<string, string>(), default, default) { Access = ["group:hr"] };
        var set = new QdrantRequests(Options).AccessUpdate("rag_kb", new IndexChange(kb, 3, [], [], restricted) { AccessChanged = [7, 9] });
        AssertSame("""{"collectionName":"rag_kb","wait":true,"payload":{"access":{"listValue":{"values":[{"stringValue":"group:hr"}]}}},"pointsSelector":{"points":{"ids":[{"num":"7"},{"num":"9"}]}}}""",
            set.Set);
        Assert.Null(set.Delete);

        var opened = restricted with { Access = null };
        var clear = new QdrantRequests(Options).AccessUpdate("rag_kb", new IndexChange(kb, 4, [], [], opened) { AccessChanged = [7, 9] });
        AssertSame("""{"collectionName":"rag_kb","wait":true,"keys":["access"],"pointsSelector":{"points":{"ids":[{"num":"7"},{"num":"9"}]}}}""", clear.Delete);
        Assert.Null(clear.Set);
    }

    [Fact]
    public void A_restricted_documents_points_carry_its_access_list()
    {
        var document = new IndexedDocument("d", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch) { Access = ["group:hr", "user:a"] };
        var point = new QdrantRequests(Options).Point(document, 5, [1f, 0f]);
        AssertSame("""{"listValue":{"values":[{"stringValue":"group:hr"},{"stringValue":"user:a"}]}}""", point.Payload["access"]);
        Assert.False(new QdrantRequests(Options).Point(document with { Access = null }, 5, [1f, 0f]).Payload.ContainsKey("access"));
    }

    [Fact]
    public void AnyOf_is_a_match_any_of_pairs_noneOf_a_must_not_of_one_a_range_a_nested_condition_and_a_prefix_a_folder_keyword()
    {
        var filter = new SearchFilter
        {
            MetadataAnyOf = new Dictionary<string, IReadOnlyList<string>> { ["team"] = ["hr", "it"] },
            MetadataNoneOf = new Dictionary<string, IReadOnlyList<string>> { ["status"] = ["draft"] },
            MetadataRanges = [new MetadataRange("year", MetadataType.Number) { Gte = 2020, Lt = 2024 }],
            DocumentIdPrefix = "a/b/",
        };
        AssertSame("""
            {"must":[
              {"field":{"key":"metadata_pairs","match":{"keywords":{"strings":["team\u001fhr","team\u001fit"]}}}},
              {"nested":{"key":"metadata_values","filter":{"must":[{"field":{"key":"key","match":{"keyword":"year"}}},{"field":{"key":"number","range":{"gte":2020,"lt":2024}}}]}}},
              {"field":{"key":"doc_folders","match":{"keyword":"a/b/"}}}],
             "mustNot":[{"field":{"key":"metadata_pairs","match":{"keywords":{"strings":["status\u001fdraft"]}}}}]}
            """, QdrantRequests.Filter(filter));
    }

    [Fact]
    public void A_date_range_compares_milliseconds_since_1970_on_the_date_field()
    {
        // 2023-01-01T00:00:00Z is 1672531200 s after 1970-01-01 (date -d 2023-01-01 -u +%s).
        var filter = new SearchFilter { MetadataRanges = [new MetadataRange("published", MetadataType.Date) { Gt = 1672531200000 }] };
        AssertSame("""
            {"must":[{"nested":{"key":"metadata_values","filter":{"must":[{"field":{"key":"key","match":{"keyword":"published"}}},{"field":{"key":"date","range":{"gt":1672531200000}}}]}}}]}
            """, QdrantRequests.Filter(filter));
    }

    [Fact]
    public void A_point_carries_its_numeric_and_date_metadata_values_and_its_folders()
    {
        var metadata = new Dictionary<string, string> { ["year"] = "2021", ["published"] = "2023-01-01T01:00:00+01:00", ["lang"] = "en" };
        var point = new QdrantRequests(Options).Point(new IndexedDocument("a/b/c.md", metadata, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), 5, [1f, 0f]);
        AssertSame("""
            {"listValue":{"values":[
              {"structValue":{"fields":{"key":{"stringValue":"published"},"date":{"doubleValue":1672531200000}}}},
              {"structValue":{"fields":{"key":{"stringValue":"year"},"number":{"doubleValue":2021}}}}]}}
            """, point.Payload["metadata_values"]);
        AssertSame("""{"listValue":{"values":[{"stringValue":"a/"},{"stringValue":"a/b/"}]}}""", point.Payload["doc_folders"]);
    }

    [Fact]
    public void A_whole_second_bound_compares_the_seconds_only()
    {
        // 2026-01-02T03:04:05Z is 1767323045 s after 1970-01-01 (date -d @1767323045 -u).
        var t = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        AssertSame("""{"must":[{"field":{"key":"created_s","range":{"gte":1767323045}}},{"field":{"key":"updated_s","range":{"lt":1767323045}}}]}""",
            QdrantRequests.Filter(new SearchFilter { CreatedAfter = t, UpdatedBefore = t }));
    }

    [Fact]
    public void A_bound_within_a_second_compares_seconds_then_ticks_exactly()
    {
        // 03:04:05.1234567 at +02:00 is 01:04:05.1234567Z: 1767315845 s and 1,234,567 ticks of 100 ns.
        var t = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        AssertSame("""
            {"must":[
              {"filter":{"should":[
                {"field":{"key":"created_s","range":{"gt":1767315845}}},
                {"filter":{"must":[{"field":{"key":"created_s","match":{"integer":"1767315845"}}},{"field":{"key":"created_t","range":{"gte":1234567}}}]}}]}},
              {"filter":{"should":[
                {"field":{"key":"created_s","range":{"lt":1767315845}}},
                {"filter":{"must":[{"field":{"key":"created_s","match":{"integer":"1767315845"}}},{"field":{"key":"created_t","range":{"lt":1234567}}}]}}]}},
              {"filter":{"should":[
                {"field":{"key":"updated_s","range":{"gt":1767315845}}},
                {"filter":{"must":[{"field":{"key":"updated_s","match":{"integer":"1767315845"}}},{"field":{"key":"updated_t","range":{"gte":1234567}}}]}}]}}
            ]}
            """,
            QdrantRequests.Filter(new SearchFilter { CreatedAfter = t, CreatedBefore = t, UpdatedAfter = t }));
    }

    [Fact]
    public void A_search_page_asks_the_named_vector_with_the_options_search_parameters()
    {
        var requests = new QdrantRequests(Options with { Int8Quantization = true });
        AssertSame("""
            {"collectionName":"rag_kb","query":{"nearest":{"dense":{"data":[0.5,-0.25]}}},"using":"dense","limit":"100","offset":"200",
             "withPayload":{"enable":false},"params":{"hnswEf":"64","exact":false,"quantization":{"rescore":true}},
             "filter":{"must":[{"field":{"key":"doc_id","match":{"keywords":{"strings":["d1"]}}}}]}}
            """,
            requests.Search("rag_kb", [0.5f, -0.25f], 100, 200, new SearchFilter { DocumentIds = ["d1"] }));
    }

    [Fact]
    public void Exact_search_and_no_hnsw_ef_come_from_the_options()
    {
        var requests = new QdrantRequests(Options with { Exact = true, HnswEf = 0 });
        AssertSame("""
            {"collectionName":"rag_kb","query":{"nearest":{"dense":{"data":[1]}}},"using":"dense","limit":"10","withPayload":{"enable":false},"params":{"exact":true}}
            """,
            requests.Search("rag_kb", [1f], 10, 0, SearchFilter.None));
    }

    [Fact]
    public void The_collection_has_one_named_cosine_vector_with_the_hnsw_disk_and_quantization_options()
    {
        var requests = new QdrantRequests(Options with { M = 32, EfConstruct = 400, OnDisk = true, Int8Quantization = true });
        AssertSame("""
            {"collectionName":"rag_kb--c7g1","vectorsConfig":{"paramsMap":{"map":{"dense":{
              "size":"384","distance":"Cosine","hnswConfig":{"m":"32","efConstruct":"400"},"onDisk":true,
              "quantizationConfig":{"scalar":{"type":"Int8","alwaysRam":true}}}}}}}
            """,
            requests.CreateCollection("rag_kb--c7g1", 384));
    }

    [Fact]
    public void Every_filtered_field_gets_a_payload_index_of_its_type()
    {
        var indexes = new QdrantRequests(Options).PayloadIndexes("c").ToDictionary(i => i.FieldName, i => i.FieldType);
        Assert.Equal(new Dictionary<string, FieldType>
        {
            ["doc_id"] = FieldType.Keyword, ["metadata_pairs"] = FieldType.Keyword, ["access"] = FieldType.Keyword, ["doc_folders"] = FieldType.Keyword, ["chunk_id"] = FieldType.Integer,
            ["created_s"] = FieldType.Integer, ["created_t"] = FieldType.Integer, ["updated_s"] = FieldType.Integer, ["updated_t"] = FieldType.Integer,
            ["metadata_values[].key"] = FieldType.Keyword, ["metadata_values[].number"] = FieldType.Float, ["metadata_values[].date"] = FieldType.Float,
        }, indexes);
    }

    [Fact]
    public void A_collection_from_before_the_folder_and_range_indexes_gets_exactly_those_and_a_current_one_none()
    {
        var requests = new QdrantRequests(Options);
        // The payload schema of a collection the previous release made: everything but doc_folders and the typed values.
        var older = new[] { "doc_id", "metadata_pairs", "access", "chunk_id", "created_s", "created_t", "updated_s", "updated_t" }
            .ToDictionary(f => f, f => new PayloadSchemaInfo { DataType = f is "doc_id" or "metadata_pairs" or "access" ? PayloadSchemaType.Keyword : PayloadSchemaType.Integer });

        var added = requests.MissingPayloadIndexes("rag_kb--c7g1", older).ToList();

        Assert.Equal(
            [("doc_folders", FieldType.Keyword), ("metadata_values[].key", FieldType.Keyword), ("metadata_values[].number", FieldType.Float), ("metadata_values[].date", FieldType.Float)],
            added.Select(i => (i.FieldName, i.FieldType)));
        Assert.All(added, i => Assert.Equal("rag_kb--c7g1", i.CollectionName));
        var current = requests.PayloadIndexes("c").ToDictionary(i => i.FieldName, _ => new PayloadSchemaInfo());
        Assert.Empty(requests.MissingPayloadIndexes("c", current));
    }

    [Fact]
    public void A_point_carries_chunk_document_metadata_and_times_and_upserts_wait_in_batches()
    {
        var requests = new QdrantRequests(Options with { UpsertBatchSize = 2 });
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(7);
        var document = new IndexedDocument("doc-1", new Dictionary<string, string> { ["lang"] = "en" }, created, created.AddSeconds(1));
        var added = new[] { new IndexEntry(11, "a", [], [], Vector: [1f, 0f]), new IndexEntry(12, "b", [], []), new IndexEntry(13, "c", [], [], Vector: [0f, 1f]), new IndexEntry(14, "d", [], [], Vector: [0.6f, 0.8f]) };

        var batches = requests.Upserts("rag_kb", document, added).ToList();

        Assert.Equal([2, 1], batches.Select(b => b.Points.Count));
        Assert.All(batches, b => Assert.True(b.Wait));
        AssertSame("""
            {"id":{"num":"11"},"vectors":{"vectors":{"vectors":{"dense":{"dense":{"data":[1,0]}}}}},"payload":{
              "chunk_id":{"integerValue":"11"},"doc_id":{"stringValue":"doc-1"},
              "metadata":{"structValue":{"fields":{"lang":{"stringValue":"en"}}}},
              "metadata_pairs":{"listValue":{"values":[{"stringValue":"lang\u001fen"}]}},
              "created":{"stringValue":"2026-01-02T03:04:05.0000007+00:00"},"created_s":{"integerValue":"1767323045"},"created_t":{"integerValue":"7"},
              "updated":{"stringValue":"2026-01-02T03:04:06.0000007+00:00"},"updated_s":{"integerValue":"1767323046"},"updated_t":{"integerValue":"7"}}}
            """,
            batches[0].Points[0]);
    }

    [Fact]
    public void A_deleted_document_is_deleted_by_a_document_filter_and_replaced_chunks_by_id()
    {
        var requests = new QdrantRequests(Options);
        AssertSame("""{"collectionName":"rag_kb","wait":true,"points":{"filter":{"must":[{"field":{"key":"doc_id","match":{"keywords":{"strings":["doc-1"]}}}}]}}}""",
            requests.DeleteDocument("rag_kb", "doc-1"));
        AssertSame("""{"collectionName":"rag_kb","wait":true,"points":{"points":{"ids":[{"num":"4"},{"num":"5"}]}}}""",
            requests.DeleteChunks("rag_kb", [4, 5]));
    }

    [Fact]
    public void A_write_never_deletes_a_point_it_upserts()
    {
        var document = new IndexedDocument("a", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var change = new IndexChange(new CollectionInfo(1, "kb", new CollectionSettings(), DateTimeOffset.UnixEpoch), 2, [2, 3],
            [new IndexEntry(3, "x", [], [], Vector: [1f, 0f]), new IndexEntry(4, "y", [], [], Vector: [0f, 1f])], document);

        var write = new QdrantRequests(Options).Write("rag_kb", change);

        Assert.Equal([3, 4], write.Upserts.SelectMany(u => u.Points).Select(p => (long)p.Id.Num));
        AssertSame("""{"collectionName":"rag_kb","wait":true,"points":{"points":{"ids":[{"num":"2"}]}}}""", write.Delete);
    }

    [Fact]
    public async Task Resaving_the_document_that_holds_the_highest_ids_deletes_none_of_its_new_points()
    {
        var dir = Directory.CreateTempSubdirectory("ragsvc-resave-");
        try
        {
            var recorder = new RecordingIndex();
            var store = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = Path.Combine(dir.FullName, "kb.db") }, [recorder]);
            var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
            await store.UpsertDocumentAsync(kb, OneChunk("b", "v1", [1f, 0f]), default);
            await store.UpsertDocumentAsync(kb, OneChunk("a", "v1", [0f, 1f]), default);
            await store.UpsertDocumentAsync(kb, OneChunk("a", "v2", [0.6f, 0.8f]), default);

            var resave = recorder.Changes[^1];
            var write = new QdrantRequests(Options).Write("rag_kb", resave);
            var upserted = write.Upserts.SelectMany(u => u.Points).Select(p => p.Id.Num).ToList();
            var deleted = write.Delete?.Points.Points.Ids.Select(id => id.Num).ToList() ?? [];
            Assert.Single(upserted);
            Assert.Empty(upserted.Intersect(deleted));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    private static DocumentWrite OneChunk(string id, string version, float[] vector) =>
        new(id, null, id + version, "text", new Dictionary<string, string>(), [new IndexedChunk(new Chunk(0, id + " " + version, [], null), [id], [], vector)]);

    [Fact]
    public void The_alias_swap_deletes_and_creates_in_one_change()
    {
        var requests = new QdrantRequests(Options);
        AssertSame("""{"actions":[{"deleteAlias":{"aliasName":"rag_kb"}},{"createAlias":{"collectionName":"rag_kb--c7g2","aliasName":"rag_kb"}}]}""",
            requests.SwapAlias("rag_kb", "rag_kb--c7g2", aliasExists: true));
    }

    [Theory]
    [InlineData("http://localhost:6334", true)]
    [InlineData("https://q.example:6334", true)]
    [InlineData("localhost:6334", false)]
    [InlineData("", false)]
    [InlineData("ftp://x", false)]
    public void The_url_must_be_an_http_url(string url, bool valid)
    {
        var options = new QdrantOptions { Url = url };
        if (valid)
        {
            options.Validate();
        }
        else
        {
            var e = Assert.Throws<ArgumentException>(() => options.Validate());
            Assert.Contains("Rag:Qdrant:Url", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Out_of_range_options_name_the_option()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => (Options with { UpsertBatchSize = 0 }).Validate());
        Assert.Contains("Rag:Qdrant:UpsertBatchSize", e.Message, StringComparison.Ordinal);
    }
}
