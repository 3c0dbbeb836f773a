namespace RagService.Core.Context;

/// <summary>How the sources block is laid out: the order of the sources, hence of their citation numbers.</summary>
public enum ContextOrder
{
    /// <summary>Best source first, then by falling value: citation [1] is the strongest evidence.</summary>
    Rank,

    /// <summary>Best source first, second best last, the weakest in the middle (models read the middle of a long context least).</summary>
    Edges,
}

/// <summary>What the LLM sees: the token budget of the sources block and how far a hit grows into its section ("Rag:Context").</summary>
public sealed record ContextOptions
{
    public const string Section = "Rag:Context";

    /// <summary>
    /// Most tokens of source text in the prompt (the embedding model's tokenizer, or characters / 4 without a model).
    /// 1,000: it holds today's default of five 200-character chunks even in Chinese (about one token per character),
    /// so no default ask sees less than before; docs/llm.md has the measured curve.
    /// </summary>
    public int BudgetTokens { get; init; } = 1_000;

    /// <summary>
    /// Most tokens one source may grow to by taking its neighbours; null: three times the largest retrieved chunk of the
    /// ask, i.e. a hit and one full chunk on each side (an answer straddles at most one border on either side). Hits that
    /// touch are merged even beyond it; the cap only limits expansion. 0 turns expansion off.
    /// </summary>
    public int? MaxSourceTokens { get; init; }

    public ContextOrder Order { get; init; } = ContextOrder.Rank;

    public void Validate()
    {
        if (BudgetTokens is < 50 or > 1_000_000)
        {
            throw new ArgumentException($"{Section}:BudgetTokens must be between 50 and 1000000; got {BudgetTokens}");
        }

        if (MaxSourceTokens is < 0 || MaxSourceTokens > BudgetTokens)
        {
            throw new ArgumentException($"{Section}:MaxSourceTokens must be between 0 and BudgetTokens ({BudgetTokens}), or unset; got {MaxSourceTokens}");
        }

        if (!Enum.IsDefined(Order))
        {
            throw new ArgumentException($"{Section}:Order must be Rank or Edges; got {Order}");
        }
    }
}
