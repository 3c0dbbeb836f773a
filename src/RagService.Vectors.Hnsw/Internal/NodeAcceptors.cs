namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// Decides which visited nodes may enter a search's result set (traversal goes through all of them). A node stands
/// for its duplicate group (<see cref="DuplicateGroups"/>): it is accepted when any slot of the group is, and the
/// result list (<see cref="HitList.FromGraph"/>) then keeps only the slots that are.
/// </summary>
internal interface INodeAcceptor
{
    bool Accept(int node);
}

/// <summary>Graph construction: every node counts, deleted ones too, so they keep their role as bridges.</summary>
internal readonly struct AcceptAll : INodeAcceptor
{
    public bool Accept(int node) => true;
}

internal readonly struct AcceptLive(VectorCollection vectors, DuplicateGroups groups) : INodeAcceptor
{
    public bool Accept(int node)
    {
        for (int slot = node; slot >= 0; slot = groups.Next(slot))
        {
            if (vectors.IsLive(slot))
            {
                return true;
            }
        }

        return false;
    }
}

internal readonly struct AcceptLiveMatching(VectorCollection vectors, DuplicateGroups groups, Func<long, bool> filter) : INodeAcceptor
{
    public bool Accept(int node)
    {
        for (int slot = node; slot >= 0; slot = groups.Next(slot))
        {
            if (vectors.IsLive(slot) && filter(vectors.IdAt(slot)))
            {
                return true;
            }
        }

        return false;
    }
}
