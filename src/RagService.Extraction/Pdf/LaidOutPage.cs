namespace RagService.Extraction.Pdf;

/// <summary>One block of text as laid out on a PDF page, with what heading and running-text detection need.</summary>
/// <param name="Text">The block's lines joined (hyphenation undone for Latin text, no spaces between CJK lines).</param>
/// <param name="FontSize">The size most of its glyphs have, in points.</param>
/// <param name="Bold">Most of its glyphs come from a bold face.</param>
/// <param name="Top">Distance of its top edge from the top of the page, in points.</param>
/// <param name="Bottom">Distance of its bottom edge from the top of the page, in points.</param>
/// <param name="Letters">Number of glyphs (the weight of the block's font size in the body-size vote).</param>
internal sealed record LaidOutBlock(string Text, double FontSize, bool Bold, double Top, double Bottom, int Lines, int Letters);

/// <param name="Number">1-based page number.</param>
/// <param name="TextChars">Non-blank glyphs on the page before any block is dropped (decides whether the page is OCRed).</param>
/// <param name="InvalidChars">Glyphs that decoded to U+FFFD, control or private-use characters.</param>
internal sealed record LaidOutPage(int Number, double Height, IReadOnlyList<LaidOutBlock> Blocks, int TextChars, int InvalidChars)
{
    /// <summary>Fonts on the page whose glyphs may be read as the wrong characters (<see cref="UnmappedFonts"/>).</summary>
    public IReadOnlyList<string> FontWarnings { get; init; } = [];
}
