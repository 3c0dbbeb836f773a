using RagService.Core.Chunking;

namespace RagService.Core.Tests;

/// <summary>Every abbreviation the sentence splitter knows, each in a sentence where knowing it changes where the sentence ends.</summary>
public sealed class AbbreviationTests
{
    [Theory]
    [InlineData("mr")]
    [InlineData("mrs")]
    [InlineData("ms")]
    [InlineData("dr")]
    [InlineData("prof")]
    [InlineData("sr")]
    [InlineData("st")]
    [InlineData("mt")]
    [InlineData("gen")]
    [InlineData("col")]
    [InlineData("lt")]
    [InlineData("sgt")]
    [InlineData("capt")]
    [InlineData("gov")]
    [InlineData("sen")]
    [InlineData("rep")]
    [InlineData("rev")]
    [InlineData("vs")]
    [InlineData("cf")]
    [InlineData("viz")]
    [InlineData("approx")]
    [InlineData("fig")]
    [InlineData("figs")]
    [InlineData("eq")]
    public void A_title_or_shorthand_never_ends_a_sentence_even_before_a_capital(string abbreviation)
    {
        var text = $"Ask {Capitalised(abbreviation)}. Smith";
        Assert.Equal(-1, LatinSentenceEnds.EndAt(text, 4 + abbreviation.Length));
        // The same letters as a word of their own sentence would end it: "Ask Mrx. Smith".
        Assert.Equal(6 + abbreviation.Length, LatinSentenceEnds.EndAt($"Ask {Capitalised(abbreviation)}x. Smith", 5 + abbreviation.Length));
    }

    [Theory]
    [InlineData("etc")]
    [InlineData("inc")]
    [InlineData("ltd")]
    [InlineData("co")]
    [InlineData("corp")]
    [InlineData("jr")]
    [InlineData("al")]
    [InlineData("no")]
    [InlineData("jan")]
    [InlineData("feb")]
    [InlineData("mar")]
    [InlineData("apr")]
    [InlineData("jun")]
    [InlineData("jul")]
    [InlineData("aug")]
    [InlineData("sep")]
    [InlineData("sept")]
    [InlineData("oct")]
    [InlineData("nov")]
    [InlineData("dec")]
    public void An_abbreviation_that_may_close_a_sentence_ends_it_only_before_a_capital_or_the_end(string abbreviation)
    {
        var period = 4 + abbreviation.Length;
        Assert.Equal(-1, LatinSentenceEnds.EndAt($"See {Capitalised(abbreviation)}. 5 more", period)); // "Jan. 5", "No. 5"
        Assert.Equal(period + 1, LatinSentenceEnds.EndAt($"See {Capitalised(abbreviation)}. Then", period));
        Assert.Equal(period + 1, LatinSentenceEnds.EndAt($"See {Capitalised(abbreviation)}.", period));
    }

    private static string Capitalised(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}
