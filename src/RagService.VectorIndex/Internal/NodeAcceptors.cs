namespace RagService.VectorIndex.Internal;

/// <summary>Decides which visited nodes may enter a search's result set (traversal goes through all of them).</summary>
internal interface INodeAcceptor
{
    bool Accept(int node);
}

/// <summary>Graph construction: every node counts, deleted ones too, so they keep their role as bridges.</summary>
internal readonly struct AcceptAll : INodeAcceptor
{
    public bool Accept(int node) => true;
}

internal readonly struct AcceptLive(VectorCollection vectors) : INodeAcceptor
{
    public bool Accept(int node) => vectors.IsLive(node);
}

internal readonly struct AcceptLiveMatching(VectorCollection vectors, Func<long, bool> filter) : INodeAcceptor
{
    public bool Accept(int node) => vectors.IsLive(node) && filter(vectors.IdAt(node));
}
