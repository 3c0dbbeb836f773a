namespace RagService.Core.Lexical;

/// <summary>
/// One query term's postings, read forward in increasing document order: where the cursor stands and the term's frequency
/// there in the body and in the contextual header. A new cursor stands before its first document (<see cref="Doc"/> = −1).
/// </summary>
public abstract class PostingCursor
{
    /// <summary>The document number past the last posting.</summary>
    public const int NoMoreDocs = int.MaxValue;

    /// <summary>The current document; −1 before the first move, <see cref="NoMoreDocs"/> after the last posting.</summary>
    public int Doc { get; protected set; } = -1;

    public abstract int BodyFreq { get; }

    public abstract int HeaderFreq { get; }

    /// <summary>Moves to the next posting.</summary>
    public abstract void Next();

    /// <summary>Moves to the first posting at or after <paramref name="target"/> (called only with target &gt; <see cref="Doc"/>).</summary>
    public abstract void Advance(int target);
}

/// <summary>
/// A query term for <see cref="Bm25FTopK"/>: its postings, its weight (idf × how often the query repeats it), and bounds on
/// every posting it holds: the largest body and header frequencies and the shortest document length. The bounds may be
/// loose (deleted documents may still count) but never tight beyond the truth: they decide which documents are skipped.
/// </summary>
public sealed record Bm25FTerm(PostingCursor Postings, double Weight, int MaxBodyFreq, int MaxHeaderFreq, int MinLength);

/// <summary>What the top-k search needs to know about a document besides its postings.</summary>
public interface IBm25FDocuments
{
    /// <summary>Whether the document may be returned (live and visible to the caller).</summary>
    bool IsCandidate(int doc);

    /// <summary>Body plus header terms.</summary>
    int Length(int doc);

    /// <summary>Breaks ties between equal scores: the smaller key ranks first.</summary>
    long TieKey(int doc);
}
