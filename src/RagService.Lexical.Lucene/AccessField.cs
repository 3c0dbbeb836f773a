using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using RagService.Core.Access;

namespace RagService.Lexical.Lucene;

/// <summary>
/// A chunk's access in the Lucene index: one indexed, untokenized term per principal of its document's list in the
/// <see cref="Name"/> field, or the <see cref="Unlisted"/> marker when the document has no list. A caller's scope is
/// the union of the postings of its principals' terms, and of the marker when the collection leaves unlisted
/// documents open: the documents a search may score into its top k. The collection's setting is read per search,
/// so changing it needs no reindexing.
/// </summary>
internal static class AccessField
{
    public const string Name = "acl";

    /// <summary>Has no "kind:" prefix, so no principal (<see cref="Principals"/>) can be spelled like it.</summary>
    public const string Unlisted = "(unlisted)";

    public static IEnumerable<StringField> Fields(IReadOnlyList<string>? access) =>
        (access ?? [Unlisted]).Select(principal => new StringField(Name, principal, Field.Store.NO));

    /// <summary>The live documents of <paramref name="reader"/> (by global doc id) that <paramref name="scope"/> may read.</summary>
    public static FixedBitSet Visible(IndexReader reader, AccessScope scope, UnlistedAccess unlisted)
    {
        var visible = new FixedBitSet(Math.Max(1, reader.MaxDoc));
        var terms = unlisted == UnlistedAccess.Open ? scope.Principals.Append(Unlisted) : scope.Principals;
        foreach (var leaf in reader.Leaves)
        {
            var termsEnum = leaf.AtomicReader.GetTerms(Name)?.GetEnumerator();
            if (termsEnum is null)
            {
                continue;
            }

            foreach (var term in terms)
            {
                if (!termsEnum.SeekExact(new BytesRef(term)))
                {
                    continue;
                }

                var docs = termsEnum.Docs(leaf.AtomicReader.LiveDocs, null, DocsFlags.NONE);
                int doc;
                while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                {
                    visible.Set(leaf.DocBase + doc);
                }
            }
        }

        return visible;
    }
}
