namespace RagService.Core.Text;

/// <summary>How runs of CJK characters become BM25 terms.</summary>
public enum CjkSegmentation
{
    /// <summary>One term per character.</summary>
    Unigram,
    /// <summary>Overlapping character pairs (a lone character stays a unigram), like Lucene's CJKAnalyzer.</summary>
    Bigram,
    /// <summary>Both: unigrams give recall on single-character words, bigrams give precision.</summary>
    BigramAndUnigram,
}
