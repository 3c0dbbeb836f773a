using System.Text;

namespace RagService.Core.Text;

/// <summary>NFKC (which folds full-width Latin, digits and punctuation to half-width) and lower-casing of Latin letters.</summary>
public static class TextNormalizer
{
    public static string Normalize(string text)
    {
        var nfkc = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        return nfkc.ToLowerInvariant();
    }
}
