using System.Text;
using RagService.Core.Documents;

namespace RagService.Core.Chunking;

/// <summary>
/// Cuts an extracted document into chunks that follow its structure: a heading starts a new chunk
/// (unless the section so far is tiny: then the chunk's heading path is its first section's path followed by the
/// heading of every section merged into it), so does a new page, paragraphs are packed sentence by sentence up to the maximum
/// size with overlap inside a section, and tables and code blocks stay whole when they fit (otherwise
/// they are split between rows/lines, a table repeating its header row).
/// </summary>
public sealed class StructuredChunker
{
    private readonly ChunkingOptions _options;
    private readonly Func<string, int> _measure;

    /// <param name="measure">Size of a text in the unit of <see cref="ChunkingOptions.MaxSize"/>; characters when null.</param>
    public StructuredChunker(ChunkingOptions options, Func<string, int>? measure = null)
    {
        options.Validate();
        _options = options;
        _measure = measure ?? (s => s.Length);
    }

    public IReadOnlyList<Chunk> Chunk(ExtractedDocument document)
    {
        if (_options.Mode == ChunkingMode.SentencePack)
        {
            var text = document.FullText;
            return SentencePackChunker.Cut(text, _options.MaxSize)
                .Select((c, i) => new Chunk(i, text[c.Start..c.End], [], null))
                .ToList();
        }

        var builder = new Builder(_options, _measure);
        foreach (var block in document.Blocks)
        {
            if (string.IsNullOrWhiteSpace(block.Text))
            {
                continue;
            }

            switch (block.Kind)
            {
                case BlockKind.Heading:
                    builder.StartSection(block);
                    break;
                case BlockKind.Table:
                    builder.AddWhole(block, repeatFirstLine: true);
                    break;
                case BlockKind.Code:
                    builder.AddWhole(block, repeatFirstLine: false);
                    break;
                default:
                    builder.AddProse(block);
                    break;
            }
        }

        return builder.Finish();
    }

    /// <summary>Accumulates pieces into the current chunk and emits chunks.</summary>
    private sealed class Builder(ChunkingOptions options, Func<string, int> measure)
    {
        private readonly List<Chunk> _chunks = [];
        private readonly List<(int Level, string Text)> _headings = [];
        private readonly List<string> _pieces = [];
        private IReadOnlyList<string> _chunkPath = [];
        private int? _chunkPage;
        private int _size;
        private bool _hasBody;

        public void StartSection(DocumentBlock heading)
        {
            var level = Math.Max(1, heading.HeadingLevel);
            if (_hasBody && _size >= options.MinSectionSize)
            {
                Flush(keepOverlap: false);
            }

            _headings.RemoveAll(h => h.Level >= level);
            _headings.Add((level, heading.Text.Trim()));
            if (!_hasBody)
            {
                // Nothing but headings so far: the chunk belongs to the deepest of them.
                _chunkPath = CurrentPath();
                _chunkPage ??= heading.Page;
            }
            else if (!_chunkPath.Contains(heading.Text.Trim()))
            {
                // The section so far is tiny and this one joins its chunk: the chunk lists this heading too.
                _chunkPath = [.. _chunkPath, heading.Text.Trim()];
            }

            // The heading line is part of the chunk text: it names what the paragraphs below talk about.
            Append(heading.Text.Trim() + "\n", heading.Page, isBody: false);
        }

        public void AddProse(DocumentBlock block)
        {
            BreakAtNewPage(block);
            var text = block.Kind == BlockKind.ListItem ? block.Text.Trim() + "\n" : block.Text.Trim() + "\n\n";
            foreach (var sentence in SentenceSplitter.Split(text, SentenceSplitter.CjkDelimiters))
            {
                foreach (var piece in FitPieces(sentence))
                {
                    if (_size + measure(piece) > options.MaxSize && _hasBody)
                    {
                        Flush(keepOverlap: true);
                    }

                    Append(piece, block.Page, isBody: true);
                }
            }
        }

        public void AddWhole(DocumentBlock block, bool repeatFirstLine)
        {
            BreakAtNewPage(block);
            var text = block.Text.TrimEnd() + "\n\n";
            var size = measure(text);
            if (size <= options.MaxSize)
            {
                if (_size + size > options.MaxSize && _hasBody)
                {
                    Flush(keepOverlap: false);
                }

                Append(text, block.Page, isBody: true);
                return;
            }

            // Too big for one chunk: split between lines; a table repeats its header row in every part.
            if (_hasBody)
            {
                Flush(keepOverlap: false);
            }

            var lines = block.Text.TrimEnd().Split('\n');
            var header = repeatFirstLine && lines.Length > 1 ? lines[0] + "\n" : null;
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (var piece in FitPieces(lines[i] + "\n"))
                {
                    if (_size + measure(piece) > options.MaxSize && _hasBody)
                    {
                        Flush(keepOverlap: false);
                        if (header is not null && i > 0)
                        {
                            Append(header, block.Page, isBody: false);
                        }
                    }

                    Append(piece, block.Page, isBody: true);
                }
            }

            Flush(keepOverlap: false);
        }

        /// <summary>A new page starts a new chunk, so that every chunk's page (and so its citation) is exact.</summary>
        private void BreakAtNewPage(DocumentBlock block)
        {
            if (_hasBody && block.Page is { } page && _chunkPage is { } current && page != current)
            {
                Flush(keepOverlap: false);
            }
        }

        public List<Chunk> Finish()
        {
            if (_hasBody || _pieces.Count > 0)
            {
                Flush(keepOverlap: false);
            }

            return _chunks;
        }

        private IEnumerable<string> FitPieces(string sentence)
        {
            if (measure(sentence) <= options.MaxSize)
            {
                return [sentence];
            }

            // Character-based hard cut, scaled when the measure is in tokens.
            var ratio = Math.Max(1.0, (double)measure(sentence) / sentence.Length);
            return SentenceSplitter.HardCut(sentence, Math.Max(1, (int)(options.MaxSize / ratio)));
        }

        private void Append(string piece, int? page, bool isBody)
        {
            if (_pieces.Count == 0)
            {
                _chunkPath = CurrentPath();
                _chunkPage = page;
            }

            _chunkPage ??= page;
            _pieces.Add(piece);
            _size += measure(piece);
            _hasBody |= isBody;
        }

        private void Flush(bool keepOverlap)
        {
            var text = string.Concat(_pieces).Trim();
            if (text.Length > 0 && _hasBody)
            {
                _chunks.Add(new Chunk(_chunks.Count, text, _chunkPath, _chunkPage));
            }

            var overlap = keepOverlap ? TakeOverlap() : [];
            var page = _chunkPage;
            _pieces.Clear();
            _size = 0;
            _hasBody = false;
            _chunkPath = CurrentPath();
            _chunkPage = null;
            foreach (var piece in overlap)
            {
                Append(piece, page, isBody: false);
            }
        }

        /// <summary>Whole trailing sentences of the chunk just emitted, up to the overlap size.</summary>
        private List<string> TakeOverlap()
        {
            var tail = new List<string>();
            var size = 0;
            for (var i = _pieces.Count - 1; i >= 0 && options.Overlap > 0; i--)
            {
                var s = measure(_pieces[i]);
                if (size + s > options.Overlap)
                {
                    break;
                }

                tail.Insert(0, _pieces[i]);
                size += s;
            }

            return tail;
        }

        private IReadOnlyList<string> CurrentPath() => _headings.Select(h => h.Text).ToList();
    }
}
