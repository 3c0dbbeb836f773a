namespace RagService.Onnx.Tests;

/// <summary>
/// Rag:Embedding:IntraOpSpinning / Rag:Reranker:IntraOpSpinning reach ONNX Runtime as its session config entry
/// <c>session.intra_op.allow_spinning</c> ("0" no spinning, "1" spinning, ORT's own default): unset, the embedder's
/// threads do not spin and the cross-encoder keeps ORT's default; an explicit raw entry wins over the option.
/// </summary>
public sealed class IntraOpSpinningTests
{
    private const string OrtKey = "session.intra_op.allow_spinning";

    [Fact]
    public void Unset_the_embedder_does_not_spin_and_the_reranker_keeps_the_runtime_default()
    {
        var options = new OnnxModelOptions();
        Assert.Equal("0", OnnxModelLoader.EmbedderSessionSettings(options).ConfigEntries[OrtKey]);
        Assert.Equal("1", OnnxModelLoader.RerankerSessionSettings(options).ConfigEntries[OrtKey]);
    }

    [Theory]
    [InlineData(true, "1")]
    [InlineData(false, "0")]
    public void Set_it_applies_to_either_model(bool spinning, string entry)
    {
        var options = new OnnxModelOptions { IntraOpSpinning = spinning };
        Assert.Equal(entry, OnnxModelLoader.EmbedderSessionSettings(options).ConfigEntries[OrtKey]);
        Assert.Equal(entry, OnnxModelLoader.RerankerSessionSettings(options).ConfigEntries[OrtKey]);
    }

    [Fact]
    public void An_explicit_session_config_entry_wins_and_other_entries_pass_through()
    {
        var options = new OnnxModelOptions { IntraOpSpinning = false };
        options.SessionConfigEntries[OrtKey] = "1";
        options.SessionConfigEntries["session.inter_op.allow_spinning"] = "0";
        var entries = OnnxModelLoader.EmbedderSessionSettings(options).ConfigEntries;
        Assert.Equal("1", entries[OrtKey]);
        Assert.Equal("0", entries["session.inter_op.allow_spinning"]);
    }
}
