namespace RagService.Core.Documents;

/// <summary>What a block of extracted text is; the chunker keeps tables and code together and starts sections at headings.</summary>
public enum BlockKind
{
    Paragraph,
    Heading,
    ListItem,
    Table,
    Code,
}

/// <summary>One structural unit of an extracted document.</summary>
/// <param name="Kind">Paragraph, heading, list item, table (rows joined by line breaks) or code block.</param>
/// <param name="Text">The block's text. For a table: one line per row, cells separated by " | ".</param>
/// <param name="HeadingLevel">1..6 for headings (1 = top level); 0 otherwise.</param>
/// <param name="Page">1-based page number when the source has pages (PDF), otherwise null.</param>
public sealed record DocumentBlock(BlockKind Kind, string Text, int HeadingLevel = 0, int? Page = null);
