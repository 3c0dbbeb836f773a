using RagService.Core.Chunking;
using RagService.Core.Conversation;
using RagService.Core.Models;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;

namespace RagService.Core.Tests;

/// <summary>Each limit's option refuses a value just past its documented bound at start, and accepts the bound itself.</summary>
public sealed class OptionsValidationTests
{
    private static void Refused(Action validate, string names)
    {
        var error = Assert.ThrowsAny<ArgumentException>(validate);
        Assert.Contains(names, error.Message);
    }

    [Fact]
    public void Calibration_options_bounds()
    {
        var ok = new CalibrationOptions { SampleSize = 10, MinimumChunks = 10, RecalibrateAfterChange = 0.01, WeightStep = 0.5, DenseOffUnknownTokenRate = 1 };
        ok.Validate();
        (ok with { DebounceDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }).Validate();
        (ok with { DebounceDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(5) }).Validate();
        (ok with { MaxDelay = TimeSpan.FromDays(1) }).Validate();

        Refused(() => (ok with { SampleSize = 9 }).Validate(), "SampleSize >= 10");
        Refused(() => (ok with { MinimumChunks = 9 }).Validate(), "MinimumChunks >= 10");
        Refused(() => (ok with { RecalibrateAfterChange = 0 }).Validate(), "RecalibrateAfterChange > 0");
        Refused(() => (ok with { WeightStep = 0 }).Validate(), "WeightStep");
        Refused(() => (ok with { WeightStep = 0.51 }).Validate(), "WeightStep");
        Refused(() => (ok with { DenseOffUnknownTokenRate = 0 }).Validate(), "DenseOffUnknownTokenRate");
        Refused(() => (ok with { DenseOffUnknownTokenRate = 1.01 }).Validate(), "DenseOffUnknownTokenRate");
        Refused(() => (ok with { DebounceDelay = TimeSpan.FromTicks(-1) }).Validate(), "DebounceDelay");
        Refused(() => (ok with { DebounceDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(4) }).Validate(), "MaxDelay");
        Refused(() => (ok with { MaxDelay = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1) }).Validate(), "1 day");
    }

    [Fact]
    public void Conversation_options_must_be_positive()
    {
        new ConversationOptions { MaxHistoryTurns = 1, MaxHistoryChars = 1, PromptHistoryTurns = 1, PromptHistoryChars = 1, RewriteMaxTokens = 1, MaxRewrittenChars = 1, RewriteTimeout = TimeSpan.FromTicks(1) }.Validate();
        Refused(() => new ConversationOptions { MaxHistoryTurns = 0 }.Validate(), "MaxHistoryTurns");
        Refused(() => new ConversationOptions { MaxHistoryChars = 0 }.Validate(), "MaxHistoryChars");
        Refused(() => new ConversationOptions { PromptHistoryTurns = 0 }.Validate(), "PromptHistoryTurns");
        Refused(() => new ConversationOptions { PromptHistoryChars = 0 }.Validate(), "PromptHistoryChars");
        Refused(() => new ConversationOptions { RewriteMaxTokens = 0 }.Validate(), "RewriteMaxTokens");
        Refused(() => new ConversationOptions { MaxRewrittenChars = 0 }.Validate(), "MaxRewrittenChars");
        Refused(() => new ConversationOptions { RewriteTimeout = TimeSpan.Zero }.Validate(), "RewriteTimeout");
    }

    [Fact]
    public void Chunking_options_bounds()
    {
        new ChunkingOptions { MaxSize = 20, Overlap = 9 }.Validate();
        new ChunkingOptions { MaxSize = 100_000, Overlap = 0 }.Validate();
        new ChunkingOptions { MaxSize = 100, Overlap = 49 }.Validate();
        Refused(() => new ChunkingOptions { MaxSize = 19, Overlap = 0 }.Validate(), "chunk size must be between 20 and 100000");
        Refused(() => new ChunkingOptions { MaxSize = 100_001, Overlap = 0 }.Validate(), "chunk size");
        Refused(() => new ChunkingOptions { MaxSize = 100, Overlap = 50 }.Validate(), "overlap must be");
        Refused(() => new ChunkingOptions { MaxSize = 100, Overlap = -1 }.Validate(), "overlap must be");
    }

    [Fact]
    public void Neighbour_and_model_fit_options_bounds()
    {
        new NeighbourEvidenceOptions { Window = 0, Weight = 0 }.Validate();
        new NeighbourEvidenceOptions { Window = 10, Weight = 3 }.Validate();
        Refused(() => new NeighbourEvidenceOptions { Window = -1 }.Validate(), "Window");
        Refused(() => new NeighbourEvidenceOptions { Window = 11 }.Validate(), "Window");
        Refused(() => new NeighbourEvidenceOptions { Weight = -0.1 }.Validate(), "Weight");
        Refused(() => new NeighbourEvidenceOptions { Weight = double.NaN }.Validate(), "Weight");
        Refused(() => new NeighbourEvidenceOptions { Weight = double.PositiveInfinity }.Validate(), "Weight");
        Assert.False(new NeighbourEvidenceOptions { Window = 0 }.Enabled);
        Assert.False(new NeighbourEvidenceOptions { Weight = 0 }.Enabled);
        Assert.True(new NeighbourEvidenceOptions().Enabled);

        new ModelFitThresholds { MaxUnknownTokenRate = 0, MaxTruncationRate = 1 }.Validate();
        new ModelFitThresholds { MaxUnknownTokenRate = 1, MaxTruncationRate = 0 }.Validate();
        Refused(() => new ModelFitThresholds { MaxUnknownTokenRate = -0.01 }.Validate(), "rates must be between 0 and 1");
        Refused(() => new ModelFitThresholds { MaxUnknownTokenRate = 1.01 }.Validate(), "rates");
        Refused(() => new ModelFitThresholds { MaxTruncationRate = -0.01 }.Validate(), "rates");
        Refused(() => new ModelFitThresholds { MaxTruncationRate = 1.01 }.Validate(), "rates");
    }
}
