namespace RagService.Core.Text;

/// <summary>
/// Chinese interrogatives and question particles. They are rare in the documents being searched, so BM25 would give
/// them a high IDF and reward chunks that merely contain "什么" or "多少"; removing them from questions keeps the
/// weight on the words that say what is asked about. Measured on CMRC 2018 (see README).
/// </summary>
public static class QuestionWords
{
    // Longest first, so "为什么" is removed before "什么".
    private static readonly string[] Words =
    [
        "为什么", "什么样", "怎么样", "多少钱", "哪一个", "哪一年", "是什么", "有哪些",
        "什么", "哪些", "哪个", "哪里", "哪儿", "哪位", "哪种", "哪年", "多少", "怎么", "怎样", "如何", "为何", "何时",
        "何地", "何处", "是否", "多久", "多长", "多大", "多高", "多远", "几个", "几年", "几种", "几位", "谁", "吗", "呢", "哪",
    ];

    /// <summary>Replaces question words in already normalised text by a space, which also ends the CJK run there.</summary>
    public static string Strip(string normalized)
    {
        foreach (var w in Words)
        {
            if (normalized.Contains(w, StringComparison.Ordinal))
            {
                normalized = normalized.Replace(w, " ", StringComparison.Ordinal);
            }
        }

        return normalized;
    }
}
