using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using RagService.Core.Text;

namespace RagService.Lexical.Lucene.Analysis;

/// <summary>
/// <see cref="MixedScriptAnalyzer"/> as a Lucene analyzer, for highlighting: the same terms, each with its offsets in the
/// original text. CJK runs give their characters and bigrams one by one; any other run (a word, a code such as XYZ-123)
/// goes through MixedScriptAnalyzer and all its terms point at the whole run.
/// </summary>
public sealed class MixedScriptHighlightAnalyzer : Analyzer
{
    private readonly MixedScriptAnalyzer _terms = new();

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader) =>
        new(new RunTokenizer(reader, _terms));

    private sealed class RunTokenizer : Tokenizer
    {
        private readonly MixedScriptAnalyzer _analyzer;
        private readonly ICharTermAttribute _term;
        private readonly IOffsetAttribute _offset;
        private readonly List<(string Term, int Start, int End)> _tokens = [];
        private int _next;
        private int _length;

        public RunTokenizer(TextReader input, MixedScriptAnalyzer analyzer)
            : base(input)
        {
            _analyzer = analyzer;
            _term = AddAttribute<ICharTermAttribute>();
            _offset = AddAttribute<IOffsetAttribute>();
        }

        public override bool IncrementToken()
        {
            if (_next >= _tokens.Count)
            {
                return false;
            }

            ClearAttributes();
            var (term, start, end) = _tokens[_next++];
            _term.SetEmpty().Append(term);
            _offset.SetOffset(CorrectOffset(start), CorrectOffset(end));
            return true;
        }

        public override void Reset()
        {
            base.Reset();
            var text = m_input.ReadToEnd();
            _length = text.Length;
            _tokens.Clear();
            _next = 0;
            Tokenize(text);
        }

        public override void End()
        {
            base.End();
            _offset.SetOffset(CorrectOffset(_length), CorrectOffset(_length));
        }

        private void Tokenize(string text)
        {
            var i = 0;
            while (i < text.Length)
            {
                if (MixedScriptAnalyzer.IsCjk(text, i))
                {
                    var width = Width(text, i);
                    _tokens.Add((TextNormalizer.Normalize(text.Substring(i, width)), i, i + width));
                    if (i + width < text.Length && MixedScriptAnalyzer.IsCjk(text, i + width))
                    {
                        var pair = width + Width(text, i + width);
                        _tokens.Add((TextNormalizer.Normalize(text.Substring(i, pair)), i, i + pair));
                    }

                    i += width;
                }
                else if (char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
                else
                {
                    var start = i;
                    while (i < text.Length && !char.IsWhiteSpace(text[i]) && !MixedScriptAnalyzer.IsCjk(text, i))
                    {
                        i++;
                    }

                    foreach (var term in _analyzer.Analyze(text[start..i]))
                    {
                        _tokens.Add((term, start, i));
                    }
                }
            }
        }

        private static int Width(string s, int i) => char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
    }
}
