using System.Text.RegularExpressions;
using RagService.Core.Context;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Llm.Prompting;

namespace RagService.Core.Tests;

/// <summary>The context stage against hand-written documents: expected texts, pages and numbers are written out by hand.</summary>
public sealed class ContextAssemblerTests
{
    private static readonly DateTimeOffset Updated = DateTimeOffset.Parse("2026-01-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A document's chunks in reading order; ids are unique across documents.</summary>
    private sealed class Library : IChunkNeighbours
    {
        private readonly List<StoredChunk> _chunks = [];

        public int Reads { get; private set; }

        public StoredChunk[] Add(string document, params (string Text, int? Page, string[] Path)[] chunks)
        {
            var added = chunks.Select((c, i) => new StoredChunk(_chunks.Count + i + 1, document, document.ToUpperInvariant(), i, c.Text, c.Path, c.Page,
                new Dictionary<string, string>(), Updated)).ToArray();
            _chunks.AddRange(added);
            return added;
        }

        public StoredChunk[] Add(string document, params string[] texts) => Add(document, texts.Select(t => (t, (int?)null, Array.Empty<string>())).ToArray());

        public Task<StoredChunk?> GetAsync(string documentId, int ordinal, CancellationToken ct)
        {
            Reads++;
            return Task.FromResult(_chunks.FirstOrDefault(c => c.DocumentId == documentId && c.Ordinal == ordinal));
        }
    }

    private static List<SearchHit> Ranked(params StoredChunk[] chunks) =>
        chunks.Select((c, i) => new SearchHit(i + 1, 1.0 / (i + 1), c, new HitProvenance(i + 1, 1, null, null, null, null))).ToList();

    private static ContextAssembler Assembler(int budget = 1_000, int? maxSource = null, ContextOrder order = ContextOrder.Rank) =>
        new(new ContextOptions { BudgetTokens = budget, MaxSourceTokens = maxSource, Order = order }, CharacterTokenCounter.Instance);

    [Fact]
    public async Task An_answer_straddling_two_chunks_is_inside_the_assembled_context_and_was_not_before()
    {
        // A sentence longer than a chunk, cut on a word boundary: the answer "signed in Paris" straddles the cut.
        var library = new Library();
        var treaty = library.Add("treaty", "The peace treaty was signed in", "Paris in September 1783.", "It ended the war.");
        var other = library.Add("other", "Paris is the capital of France.");
        var hits = Ranked(treaty[0], other[0]);
        const string answer = "signed in Paris";

        var before = hits.Select((h, i) => ContextSource.Of(h, i + 1)).ToList();
        Assert.DoesNotContain(before, s => s.Text.Contains(answer, StringComparison.Ordinal));

        var context = await Assembler().AssembleAsync(hits, library, default);
        Assert.Equal("The peace treaty was signed in Paris in September 1783. It ended the war.", context.Sources[0].Text);
        Assert.Equal([treaty[1].ChunkId, treaty[2].ChunkId], context.Sources[0].Expanded.Select(c => c.ChunkId));
        Assert.Contains(answer, context.Sources[0].Text, StringComparison.Ordinal);
        Assert.Equal("ok", context.Stage.Status);
    }

    [Fact]
    public async Task Overlapping_neighbours_appear_once_in_one_source()
    {
        // Structured chunking repeats the previous chunk's last sentence at the start of the next one.
        var library = new Library();
        var doc = library.Add("menu", "Margherita costs 8 euros. Delivery is free on Mondays.", "Delivery is free on Mondays. Pepperoni costs 10 euros.");
        var context = await Assembler(maxSource: 0).AssembleAsync(Ranked(doc[1], doc[0]), library, default);

        var source = Assert.Single(context.Sources);
        Assert.Equal("Margherita costs 8 euros. Delivery is free on Mondays. Pepperoni costs 10 euros.", source.Text);
        Assert.Single(Regex.Matches(source.Text, "Delivery is free"));
        Assert.Equal([1, 2], source.Hits.Select(h => h.Rank));
        Assert.Equal(1, source.Number);
        // chars / 4, rounded up, of the joined text (80 characters), not of the two chunks (53 + 53).
        Assert.Equal(20, context.Tokens);
    }

    [Fact]
    public async Task Chinese_chunks_join_without_spaces_and_drop_the_repeated_sentence()
    {
        var library = new Library();
        var doc = library.Add("pizza", "超级至尊披萨售价三十八元。外卖另收五元。", "外卖另收五元。周一休息。");
        var context = await Assembler(maxSource: 0).AssembleAsync(Ranked(doc[0], doc[1]), library, default);
        Assert.Equal("超级至尊披萨售价三十八元。外卖另收五元。周一休息。", Assert.Single(context.Sources).Text);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(120)]
    [InlineData(333)]
    [InlineData(1_000)]
    public async Task The_budget_is_never_exceeded(int budget)
    {
        var library = new Library();
        var random = new Random(budget);
        var chunks = new List<StoredChunk>();
        for (var d = 0; d < 6; d++)
        {
            chunks.AddRange(library.Add("doc" + d, Enumerable.Range(0, 8).Select(i => string.Concat(Enumerable.Repeat($"Sentence {d}.{i}. ", random.Next(1, 12)))).ToArray()));
        }

        var hits = Ranked(chunks.OrderBy(_ => random.Next()).Take(20).ToArray());
        var context = await Assembler(budget).AssembleAsync(hits, library, default);

        // Recounted independently: characters / 4 rounded up, per source.
        Assert.InRange(context.Sources.Sum(s => (s.Text.Length + 3) / 4), 1, budget);
        Assert.Equal(context.Sources.Sum(s => (s.Text.Length + 3) / 4), context.Tokens);
        Assert.Equal(hits.Count, context.Sources.Sum(s => s.Hits.Count) + context.LeftOut.Count);
    }

    /// <summary>Counts a text as more than its parts (tokens = length² / 1000): packing's running total underestimates joined sources.</summary>
    private sealed class SuperAdditiveCounter : ITokenCounter
    {
        public string Name => "length squared";

        public int Count(string text) => text.Length * text.Length / 1000 + 1;
    }

    [Fact]
    public async Task The_budget_holds_even_when_joined_text_counts_more_than_its_chunks()
    {
        var library = new Library();
        var doc = library.Add("long", Enumerable.Range(0, 6).Select(i => string.Concat(Enumerable.Repeat($"Word{i} ", 20))).ToArray());
        var assembler = new ContextAssembler(new ContextOptions { BudgetTokens = 100 }, new SuperAdditiveCounter());
        var context = await assembler.AssembleAsync(Ranked(doc[2], doc[3], doc[1]), library, default);

        var counter = new SuperAdditiveCounter();
        Assert.InRange(context.Sources.Sum(s => counter.Count(s.Text)), 1, 100);
    }

    [Fact]
    public async Task Citation_numbers_map_to_the_right_document_and_pages_after_merging()
    {
        var library = new Library();
        var manual = library.Add("manual",
            ("Error E1 means the oven is cold.", 3, ["Errors"]), ("Error E2 means the door is open.", 4, ["Errors"]), ("Cleaning the oven.", 5, ["Care"]));
        var leaflet = library.Add("leaflet", ("Opening hours: 9 to 5.", 7, ["Hours"]));
        // Ranks: manual p.3, leaflet p.7, manual p.4 (touching the first: one source).
        var context = await Assembler(maxSource: 0).AssembleAsync(Ranked(manual[0], leaflet[0], manual[1]), library, default);

        Assert.Equal(2, context.Sources.Count);
        var (one, two) = (context.Sources[0], context.Sources[1]);
        Assert.Equal((1, "manual", "3-4", 3, 4), (one.Number, one.DocumentId, one.Pages, one.FirstPage, one.LastPage));
        Assert.Equal([1, 3], one.Hits.Select(h => h.Rank));
        Assert.Equal((2, "leaflet", "7"), (two.Number, two.DocumentId, two.Pages));

        var prompt = (await new AnswerPromptTemplate().RenderAsync("What does E2 mean?", context.Sources, default)).User.Replace("\r", "", StringComparison.Ordinal);
        Assert.Contains("<source id=\"1\" title=\"MANUAL\" section=\"Errors\" page=\"3-4\" updated=\"2026-01-02\">\nError E1 means the oven is cold. Error E2 means the door is open.\n</source>", prompt);
        Assert.Contains("<source id=\"2\" title=\"LEAFLET\" section=\"Hours\" page=\"7\" updated=\"2026-01-02\">\nOpening hours: 9 to 5.\n</source>", prompt);
        Assert.DoesNotContain("<source id=\"3\"", prompt);
    }

    [Fact]
    public async Task Expansion_stays_inside_the_section_and_the_per_source_cap()
    {
        var library = new Library();
        var doc = library.Add("guide",
            ("Intro text here.", null, ["Intro"]), ("Setup step one.", null, ["Setup"]), ("Setup step two.", null, ["Setup"]),
            ("Setup step three.", null, ["Setup"]), ("Setup step four.", null, ["Setup"]));

        // Cap 9 tokens (chars / 4): the hit (4) and one neighbour (4), not a second one.
        var capped = await Assembler(maxSource: 9).AssembleAsync(Ranked(doc[1]), library, default);
        Assert.Equal("Setup step one. Setup step two.", Assert.Single(capped.Sources).Text);

        // A generous cap takes the whole section, never the intro of another section.
        var whole = await Assembler(maxSource: 500).AssembleAsync(Ranked(doc[2]), library, default);
        Assert.Equal("Setup step one. Setup step two. Setup step three. Setup step four.", Assert.Single(whole.Sources).Text);
    }

    [Fact]
    public async Task Packing_takes_the_most_relevant_unit_that_fits_whatever_its_size()
    {
        // Chunks of 40 characters (10 tokens; 11 after a taken neighbour, with the joining space). Worth: hits 1, 1/2, 1/3, 1/4;
        // the best hit's neighbours 1/(1 + 2) = 1/3, after hit 3 (ties go to hits) but before the tiny hit 4.
        static string Text(string word) => word + new string('.', 40 - word.Length);
        var library = new Library();
        var a = library.Add("a", Text("Alpha zero"), Text("Alpha one"), Text("Alpha two"));
        var tiny = library.Add("d", "Tiny.")[0];
        var hits = Ranked(a[1], library.Add("b", Text("Bravo"))[0], library.Add("c", Text("Charlie"))[0], tiny);

        // 10 + 10 + 10 + 11 + 11 = 52: the tiny hit (2 tokens) no longer fits.
        var context = await Assembler(budget: 52, maxSource: 40).AssembleAsync(hits, library, default);
        Assert.Equal(["a", "b", "c"], context.Sources.Select(s => s.DocumentId));
        Assert.Equal(string.Join(" ", a.Select(c => c.Text)), context.Sources[0].Text);
        Assert.Equal([4], context.LeftOut.Select(h => h.Rank));
        Assert.Equal(51, context.Tokens);
    }

    [Fact]
    public async Task Edges_order_puts_the_best_source_first_and_the_second_last()
    {
        var library = new Library();
        var hits = Ranked(library.Add("a", "Alpha.")[0], library.Add("b", "Bravo.")[0], library.Add("c", "Charlie.")[0], library.Add("d", "Delta.")[0]);
        var context = await Assembler(order: ContextOrder.Edges).AssembleAsync(hits, library, default);
        Assert.Equal(["a", "c", "d", "b"], context.Sources.Select(s => s.DocumentId));
        Assert.Equal([1, 2, 3, 4], context.Sources.Select(s => s.Number));
    }

    [Fact]
    public async Task A_chunk_larger_than_the_budget_is_left_out_not_cut()
    {
        var library = new Library();
        var big = library.Add("big", new string('x', 400) + ".")[0];
        var small = library.Add("small", "Short fact.")[0];
        var context = await Assembler(budget: 50).AssembleAsync(Ranked(big, small), library, default);
        Assert.Equal("Short fact.", Assert.Single(context.Sources).Text);
        Assert.Equal([1], context.LeftOut.Select(h => h.Rank));
    }

    [Theory]
    [InlineData(10, null, "BudgetTokens")]
    [InlineData(1000, -1, "MaxSourceTokens")]
    [InlineData(1000, 2000, "MaxSourceTokens")]
    public void Bad_options_are_refused_naming_the_setting(int budget, int? maxSource, string setting)
    {
        var e = Assert.Throws<ArgumentException>(() => new ContextOptions { BudgetTokens = budget, MaxSourceTokens = maxSource }.Validate());
        Assert.Contains("Rag:Context:" + setting, e.Message);
    }

    [Theory]
    [InlineData("It ended. The war was long.", "The war was long. Peace came.", 17)]
    [InlineData("It ended. The war was long", "The war was long and hard.", 0)]
    [InlineData("He said so. \"Go.\"", "\"Go.\" She went.", 5)]
    [InlineData("abc.", "c. Then", 0)]
    [InlineData("价格三十八元。", "三十八元。周一", 0)]
    [InlineData("价格三十八元。外卖五元。", "外卖五元。周一", 5)]
    public void Overlap_is_whole_repeated_sentences(string previous, string next, int expected) =>
        Assert.Equal(expected, ChunkJoiner.Overlap(previous, next));
}
