using RagService.Core.Documents;

namespace RagService.Extraction.Text;

/// <summary>
/// Plain text: one paragraph block per blank-line separated paragraph; line breaks inside are kept. A first line that
/// looks like a title (<see cref="TitleLine"/>) becomes the document's title and its top-level heading, as a Markdown H1 would.
/// </summary>
public sealed class PlainTextExtractor : IFormatExtractor
{
    public SourceFormat Format => SourceFormat.Text;

    public Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, SniffResult sniffed, CancellationToken cancellationToken)
    {
        var text = sniffed.Text?.Text ?? throw new InvalidOperationException("Plain text extraction needs the decoded text.");
        var blocks = ParagraphSplitter.Split(text, joinLines: false).ToList();
        if (blocks.Count > 1 && TitleLine.LooksLikeTitle(blocks[0].Text))
        {
            var title = blocks[0].Text.Trim();
            blocks[0] = new DocumentBlock(BlockKind.Heading, title, HeadingLevel: 1);
            return Task.FromResult(new ExtractedDocument(title, blocks, "text"));
        }

        return Task.FromResult(new ExtractedDocument(null, blocks, "text"));
    }
}

/// <summary>
/// When the first paragraph of a plain text file is its title: a single line of at most <see cref="MaxChars"/>
/// characters, standing alone (a blank line follows, more text comes after it), that does not end like a sentence or
/// clause (。！？；，、：… . ! ? ; , :). "退货政策" or "Opening hours" qualify; "We open at ten." does not.
/// </summary>
public static class TitleLine
{
    public const int MaxChars = 80;

    private const string SentenceEnds = "。．！？；，、：…!?;,:.";

    public static bool LooksLikeTitle(string paragraph)
    {
        var line = paragraph.Trim();
        return line.Length > 0 && line.Length <= MaxChars && !line.Contains('\n', StringComparison.Ordinal)
            && !SentenceEnds.Contains(line[^1], StringComparison.Ordinal);
    }
}
