using RagService.Core.Documents;

namespace RagService.Extraction.Text;

/// <summary>Plain text: one paragraph block per blank-line separated paragraph; line breaks inside are kept.</summary>
public sealed class PlainTextExtractor : IFormatExtractor
{
    public SourceFormat Format => SourceFormat.Text;

    public Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, SniffResult sniffed, CancellationToken cancellationToken)
    {
        var text = sniffed.Text?.Text ?? throw new InvalidOperationException("Plain text extraction needs the decoded text.");
        var blocks = ParagraphSplitter.Split(text, joinLines: false).ToList();
        return Task.FromResult(new ExtractedDocument(null, blocks, "text"));
    }
}
