using Qdrant.Client.Grpc;
using RagService.Core.Access;
using RagService.Core.Indexing;
using RagService.Core.Storage;
using GrpcRange = Qdrant.Client.Grpc.Range;
using GrpcVectors = Qdrant.Client.Grpc.Vectors;

namespace RagService.Vectors.Qdrant;

/// <summary>
/// Builds every protobuf request the adapter sends, from options and arguments only, so that tests can pin the exact
/// messages without a server. <see cref="QdrantVectorSearchIndex"/> sends what these return, unchanged.
/// </summary>
internal sealed class QdrantRequests(QdrantOptions options)
{
    /// <summary>The collection: one named cosine vector with the HNSW, on-disk and quantization options.</summary>
    public CreateCollection CreateCollection(string name, int dimension)
    {
        var vector = new VectorParams
        {
            Size = (ulong)dimension,
            Distance = Distance.Cosine,
            HnswConfig = new HnswConfigDiff { M = (ulong)options.M, EfConstruct = (ulong)options.EfConstruct },
        };
        // on_disk and always_ram are deprecated in the 1.20 protocol in favour of "memory", which servers before 1.20
        // do not know (they would drop it silently); the old flags are understood by both.
#pragma warning disable CS0612
        if (options.OnDisk)
        {
            vector.OnDisk = true;
        }

        if (options.Int8Quantization)
        {
            vector.QuantizationConfig = new QuantizationConfig { Scalar = new ScalarQuantization { Type = QuantizationType.Int8, AlwaysRam = true } };
        }
#pragma warning restore CS0612

        var map = new VectorParamsMap();
        map.Map.Add(options.VectorName, vector);
        return new CreateCollection { CollectionName = name, VectorsConfig = new VectorsConfig { ParamsMap = map } };
    }

    /// <summary>
    /// The payload indexes: keyword for document ids, metadata pairs, access, folders and the typed values' keys;
    /// integer for chunk ids and times; float for the typed values (the nested elements a range filter reads).
    /// </summary>
    public IEnumerable<CreateFieldIndexCollection> PayloadIndexes(string collection) =>
        QdrantPayload.KeywordFields.Select(f => (Field: f, Type: FieldType.Keyword))
            .Concat(QdrantPayload.IntegerFields.Select(f => (Field: f, Type: FieldType.Integer)))
            .Concat(QdrantPayload.FloatFields.Select(f => (Field: f, Type: FieldType.Float)))
            .Select(x => new CreateFieldIndexCollection { CollectionName = collection, FieldName = x.Field, FieldType = x.Type, Wait = true });

    /// <summary>
    /// The payload indexes a collection made by an older version lacks (<paramref name="existing"/>: its payload schema),
    /// so that starting on it adds them; none when it has them all.
    /// </summary>
    public IEnumerable<CreateFieldIndexCollection> MissingPayloadIndexes(string collection, IReadOnlyDictionary<string, PayloadSchemaInfo> existing) =>
        PayloadIndexes(collection).Where(index => !existing.ContainsKey(index.FieldName));

    /// <summary>Points the alias at <paramref name="collection"/>, in one atomic change (the old target, if any, is released).</summary>
    public ChangeAliases SwapAlias(string alias, string collection, bool aliasExists)
    {
        var change = new ChangeAliases();
        if (aliasExists)
        {
            change.Actions.Add(new AliasOperations { DeleteAlias = new DeleteAlias { AliasName = alias } });
        }

        change.Actions.Add(new AliasOperations { CreateAlias = new CreateAlias { AliasName = alias, CollectionName = collection } });
        return change;
    }

    /// <summary>
    /// The added chunks that carry a vector, as upserts of at most <see cref="QdrantOptions.UpsertBatchSize"/> points, each acknowledged once applied
    /// (wait).
    /// </summary>
    public IEnumerable<UpsertPoints> Upserts(string collection, IndexedDocument document, IReadOnlyList<IndexEntry> added) =>
        added.Where(a => a.Vector is not null).Chunk(options.UpsertBatchSize).Select(batch =>
        {
            var request = new UpsertPoints { CollectionName = collection, Wait = true };
            request.Points.AddRange(batch.Select(e => Point(document, e.ChunkId, e.Vector!)));
            return request;
        });

    public PointStruct Point(IndexedDocument document, long chunkId, float[] vector)
    {
        var point = new PointStruct { Id = new PointId { Num = (ulong)chunkId } };
        var named = new NamedVectors();
        named.Vectors.Add(options.VectorName, new Vector { Dense = new DenseVector { Data = { vector } } });
        point.Vectors = new GrpcVectors { Vectors_ = named };

        point.Payload.Add(QdrantPayload.ChunkId, new Value { IntegerValue = chunkId });
        point.Payload.Add(QdrantPayload.DocumentId, new Value { StringValue = document.Id });
        var metadata = new Struct();
        var pairs = new ListValue();
        foreach (var (key, value) in document.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            metadata.Fields.Add(key, new Value { StringValue = value });
            pairs.Values.Add(new Value { StringValue = QdrantPayload.Pair(key, value) });
        }

        point.Payload.Add(QdrantPayload.Metadata, new Value { StructValue = metadata });
        point.Payload.Add(QdrantPayload.MetadataPairs, new Value { ListValue = pairs });
        if (TypedValues(document.Metadata) is { Values.Count: > 0 } typed)
        {
            point.Payload.Add(QdrantPayload.MetadataValues, new Value { ListValue = typed });
        }

        var folders = new ListValue();
        folders.Values.AddRange(QdrantPayload.Folders(document.Id).Select(f => new Value { StringValue = f }));
        if (folders.Values.Count > 0)
        {
            point.Payload.Add(QdrantPayload.DocumentFolders, new Value { ListValue = folders });
        }
        if (document.Access is { } access)
        {
            point.Payload.Add(QdrantPayload.Access, AccessValue(access));
        }

        AddTime(point, QdrantPayload.Created, QdrantPayload.CreatedSeconds, QdrantPayload.CreatedTicks, document.Created);
        AddTime(point, QdrantPayload.Updated, QdrantPayload.UpdatedSeconds, QdrantPayload.UpdatedTicks, document.Updated);
        return point;
    }

    /// <summary>
    /// The requests one document write sends, in order: the upserts of its added chunks, then the delete of what it
    /// removed (by document filter when nothing was added; otherwise by id). The delete never names an id the same
    /// write upserts: stores do not give chunk ids again, and should one ever do, its new point must survive.
    /// </summary>
    public QdrantWrite Write(string collection, IndexChange change)
    {
        var document = change.Document ?? throw new InvalidOperationException("the Qdrant vector store needs the document of every write");
        var upserts = Upserts(collection, document, change.Added).ToList();
        if (change.Removed.Count == 0)
        {
            return new QdrantWrite(upserts, null);
        }

        if (change.Added.Count == 0)
        {
            return new QdrantWrite(upserts, DeleteDocument(collection, document.Id));
        }

        var written = change.Added.Select(a => a.ChunkId).ToHashSet();
        var gone = change.Removed.Where(id => !written.Contains(id)).ToList();
        return new QdrantWrite(upserts, gone.Count == 0 ? null : DeleteChunks(collection, gone));
    }

    /// <summary>
    /// An access-only change (<see cref="IndexChange.AccessChanged"/>): sets the new list on the document's points, or
    /// deletes the field when the document has no list any more. Vectors and every other field stay as they are.
    /// </summary>
    public AccessUpdate AccessUpdate(string collection, IndexChange change)
    {
        var ids = new PointsIdsList();
        ids.Ids.AddRange(change.AccessChanged.Select(id => new PointId { Num = (ulong)id }));
        var points = new PointsSelector { Points = ids };
        if (change.Document?.Access is { } access)
        {
            var set = new SetPayloadPoints { CollectionName = collection, Wait = true, PointsSelector = points };
            set.Payload.Add(QdrantPayload.Access, AccessValue(access));
            return new AccessUpdate(set, null);
        }

        return new AccessUpdate(null, new DeletePayloadPoints { CollectionName = collection, Wait = true, Keys = { QdrantPayload.Access }, PointsSelector = points });
    }

    private static ListValue TypedValues(IReadOnlyDictionary<string, string> metadata)
    {
        var list = new ListValue();
        foreach (var values in MetadataValues.Typed(metadata).GroupBy(v => v.Key))
        {
            var entry = new Struct();
            foreach (var (_, type, value) in values)
            {
                entry.Fields.Add(type == MetadataType.Number ? QdrantPayload.ValueNumber : QdrantPayload.ValueDate, new Value { DoubleValue = value });
            }

            entry.Fields.Add(QdrantPayload.ValueKey, new Value { StringValue = values.Key });
            list.Values.Add(new Value { StructValue = entry });
        }

        return list;
    }

    private static Value AccessValue(IReadOnlyList<string> access)
    {
        var list = new ListValue();
        list.Values.AddRange(access.Select(p => new Value { StringValue = p }));
        return new Value { ListValue = list };
    }

    /// <summary>Deletes points by id (the chunks a replaced document had).</summary>
    public DeletePoints DeleteChunks(string collection, IEnumerable<long> chunkIds)
    {
        var ids = new PointsIdsList();
        ids.Ids.AddRange(chunkIds.Select(id => new PointId { Num = (ulong)id }));
        return new DeletePoints { CollectionName = collection, Wait = true, Points = new PointsSelector { Points = ids } };
    }

    /// <summary>Deletes every point of a document (a deleted document), by a document-id filter.</summary>
    public DeletePoints DeleteDocument(string collection, string documentId) =>
        new() { CollectionName = collection, Wait = true, Points = new PointsSelector { Filter = Filter(new SearchFilter { DocumentIds = [documentId] }, UnlistedAccess.Open)! } };

    /// <summary>One page of a dense search (Query API, nearest): hits <paramref name="offset"/> .. offset + limit, ids and scores only.</summary>
    public QueryPoints Search(string collection, float[] query, ulong limit, ulong offset, SearchFilter filter, UnlistedAccess unlisted = UnlistedAccess.Open)
    {
        var dense = new DenseVector();
        dense.Data.AddRange(query);
        var request = new QueryPoints
        {
            CollectionName = collection,
            Query = new Query { Nearest = new VectorInput { Dense = dense } },
            Using = options.VectorName,
            Limit = limit,
            WithPayload = new WithPayloadSelector { Enable = false },
            Params = new SearchParams { Exact = options.Exact },
        };
        if (offset > 0)
        {
            request.Offset = offset;
        }

        if (options.HnswEf > 0)
        {
            request.Params.HnswEf = (ulong)options.HnswEf;
        }

        if (options.Int8Quantization)
        {
            request.Params.Quantization = new QuantizationSearchParams { Rescore = true };
        }

        if (Filter(filter, unlisted) is { } condition)
        {
            request.Filter = condition;
        }

        return request;
    }

    /// <summary>
    /// The filter with the store's semantics (SqlFilter): documents the access scope may read (their access keywords
    /// name one of its principals, or they have none and <paramref name="unlisted"/> is open); any of the document ids;
    /// every metadata pair exactly; per anyOf key one of its values, per noneOf key none (a missing key passes); each
    /// metadata range on an element of the typed values with that key; ids under the folder; created and updated at or
    /// after the "after" bound and strictly before the "before" bound. Null when nothing is filtered.
    /// </summary>
    public static Filter? Filter(SearchFilter filter, UnlistedAccess unlisted = UnlistedAccess.Open)
    {
        if (filter.IsEmpty)
        {
            return null;
        }

        var result = new Filter();
        if (filter.Access is { } scope)
        {
            result.Must.Add(new Condition { Filter = AccessFilter(scope, unlisted) });
        }

        if (filter.DocumentIds is { Count: > 0 } ids)
        {
            var any = new RepeatedStrings();
            any.Strings.AddRange(ids);
            result.Must.Add(Field(QdrantPayload.DocumentId, new Match { Keywords = any }));
        }

        foreach (var (key, value) in (filter.Metadata ?? new Dictionary<string, string>()).OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            result.Must.Add(Field(QdrantPayload.MetadataPairs, new Match { Keyword = QdrantPayload.Pair(key, value) }));
        }

        foreach (var (key, values) in (filter.MetadataAnyOf ?? new Dictionary<string, IReadOnlyList<string>>()).OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            result.Must.Add(Field(QdrantPayload.MetadataPairs, new Match { Keywords = Pairs(key, values) }));
        }

        // must_not of "any", not match.except: except on the pairs list would pass a document with any other pair.
        foreach (var (key, values) in (filter.MetadataNoneOf ?? new Dictionary<string, IReadOnlyList<string>>()).OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            result.MustNot.Add(Field(QdrantPayload.MetadataPairs, new Match { Keywords = Pairs(key, values) }));
        }

        foreach (var range in filter.MetadataRanges ?? [])
        {
            var element = new Filter();
            element.Must.Add(Field(QdrantPayload.ValueKey, new Match { Keyword = range.Key }));
            element.Must.Add(Field(range.Type == MetadataType.Number ? QdrantPayload.ValueNumber : QdrantPayload.ValueDate, Bounds(range)));
            result.Must.Add(new Condition { Nested = new NestedCondition { Key = QdrantPayload.MetadataValues, Filter = element } });
        }

        if (filter.DocumentIdPrefix is { } prefix)
        {
            result.Must.Add(Field(QdrantPayload.DocumentFolders, new Match { Keyword = prefix }));
        }

        AddBound(result, QdrantPayload.CreatedSeconds, QdrantPayload.CreatedTicks, filter.CreatedAfter, atOrAfter: true);
        AddBound(result, QdrantPayload.CreatedSeconds, QdrantPayload.CreatedTicks, filter.CreatedBefore, atOrAfter: false);
        AddBound(result, QdrantPayload.UpdatedSeconds, QdrantPayload.UpdatedTicks, filter.UpdatedAfter, atOrAfter: true);
        AddBound(result, QdrantPayload.UpdatedSeconds, QdrantPayload.UpdatedTicks, filter.UpdatedBefore, atOrAfter: false);
        return result;
    }

    /// <summary>
    /// Any of the scope's principals among the access keywords, or (open collections) no access field. A scope that
    /// can match neither asks for a condition and its negation, which no point passes.
    /// </summary>
    private static Filter AccessFilter(AccessScope scope, UnlistedAccess unlisted)
    {
        var either = new Filter();
        if (scope.Principals.Count > 0)
        {
            var any = new RepeatedStrings();
            any.Strings.AddRange(scope.Principals);
            either.Should.Add(Field(QdrantPayload.Access, new Match { Keywords = any }));
        }

        var unlistedCondition = new Condition { IsEmpty = new IsEmptyCondition { Key = QdrantPayload.Access } };
        if (unlisted == UnlistedAccess.Open)
        {
            either.Should.Add(unlistedCondition);
        }

        if (either.Should.Count == 0)
        {
            either.Must.Add(unlistedCondition);
            either.MustNot.Add(unlistedCondition);
        }

        return either;
    }

    /// <summary>
    /// time ≥ T is s &gt; Ts, or s = Ts and t ≥ Tt; time &lt; T is s &lt; Ts, or s = Ts and t &lt; Tt (see <see cref="QdrantPayload"/>).
    /// A bound on a whole second needs the seconds only.
    /// </summary>
    private static void AddBound(Filter filter, string secondsField, string ticksField, DateTimeOffset? bound, bool atOrAfter)
    {
        if (bound is not { } time)
        {
            return;
        }

        var (seconds, ticks) = QdrantPayload.Split(time);
        if (ticks == 0)
        {
            filter.Must.Add(Field(secondsField, atOrAfter ? new GrpcRange { Gte = seconds } : new GrpcRange { Lt = seconds }));
            return;
        }

        var sameSecond = new Filter();
        sameSecond.Must.Add(Field(secondsField, new Match { Integer = seconds }));
        sameSecond.Must.Add(Field(ticksField, atOrAfter ? new GrpcRange { Gte = ticks } : new GrpcRange { Lt = ticks }));
        var either = new Filter();
        either.Should.Add(Field(secondsField, atOrAfter ? new GrpcRange { Gt = seconds } : new GrpcRange { Lt = seconds }));
        either.Should.Add(new Condition { Filter = sameSecond });
        filter.Must.Add(new Condition { Filter = either });
    }

    private static GrpcRange Bounds(MetadataRange range)
    {
        var bounds = new GrpcRange();
        if (range.Gt is { } gt)
        {
            bounds.Gt = gt;
        }

        if (range.Gte is { } gte)
        {
            bounds.Gte = gte;
        }

        if (range.Lt is { } lt)
        {
            bounds.Lt = lt;
        }

        if (range.Lte is { } lte)
        {
            bounds.Lte = lte;
        }

        return bounds;
    }

    private static RepeatedStrings Pairs(string key, IEnumerable<string> values)
    {
        var pairs = new RepeatedStrings();
        pairs.Strings.AddRange(values.Select(v => QdrantPayload.Pair(key, v)));
        return pairs;
    }

    private static Condition Field(string key, Match match) => new() { Field = new FieldCondition { Key = key, Match = match } };

    private static Condition Field(string key, GrpcRange range) => new() { Field = new FieldCondition { Key = key, Range = range } };

    private static void AddTime(PointStruct point, string textField, string secondsField, string ticksField, DateTimeOffset time)
    {
        var (seconds, ticks) = QdrantPayload.Split(time);
        point.Payload.Add(textField, new Value { StringValue = QdrantPayload.Text(time) });
        point.Payload.Add(secondsField, new Value { IntegerValue = seconds });
        point.Payload.Add(ticksField, new Value { IntegerValue = ticks });
    }
}

/// <summary>What an access-only change sends: the new list, or the removal of the field.</summary>
internal sealed record AccessUpdate(SetPayloadPoints? Set, DeletePayloadPoints? Delete);

/// <summary>What one document write sends to Qdrant: the upserts (each acknowledged), then the delete, if any.</summary>
internal sealed record QdrantWrite(IReadOnlyList<UpsertPoints> Upserts, DeletePoints? Delete);
