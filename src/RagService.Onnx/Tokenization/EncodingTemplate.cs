namespace RagService.Onnx.Tokenization;

/// <summary>One element of a template: a special token id, or the first (A) or second (B) text; each with a type id.</summary>
public readonly record struct TemplatePart(int SpecialId, TemplateSequence Sequence, int TypeId)
{
    public static TemplatePart Special(int id, int typeId = 0) => new(id, TemplateSequence.None, typeId);

    public static TemplatePart A(int typeId = 0) => new(-1, TemplateSequence.A, typeId);

    public static TemplatePart B(int typeId) => new(-1, TemplateSequence.B, typeId);
}

public enum TemplateSequence
{
    None,
    A,
    B,
}

/// <summary>
/// Where special tokens go around one text or a pair (tokenizer.json's post_processor):
/// BERT "[CLS] A [SEP] B [SEP]" with type ids 0/1, XLM-R "&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;" all type 0.
/// </summary>
public sealed record EncodingTemplate(IReadOnlyList<TemplatePart> Single, IReadOnlyList<TemplatePart> Pair)
{
    public static EncodingTemplate Bert(int clsId, int sepId) => new(
        [TemplatePart.Special(clsId), TemplatePart.A(), TemplatePart.Special(sepId)],
        [TemplatePart.Special(clsId), TemplatePart.A(), TemplatePart.Special(sepId), TemplatePart.B(1), TemplatePart.Special(sepId, 1)]);

    public static EncodingTemplate Roberta(int startId, int endId) => new(
        [TemplatePart.Special(startId), TemplatePart.A(), TemplatePart.Special(endId)],
        [TemplatePart.Special(startId), TemplatePart.A(), TemplatePart.Special(endId), TemplatePart.Special(endId), TemplatePart.B(0),
            TemplatePart.Special(endId)]);

    public int SpecialCount(bool pair) => (pair ? Pair : Single).Count(p => p.Sequence == TemplateSequence.None);

    public TokenizedText Apply(IReadOnlyList<int> first, IReadOnlyList<int>? second)
    {
        var parts = second is null ? Single : Pair;
        var ids = new List<int>(first.Count + (second?.Count ?? 0) + 4);
        var types = new List<int>(ids.Capacity);
        foreach (var part in parts)
        {
            var span = part.Sequence switch
            {
                TemplateSequence.A => first,
                TemplateSequence.B => second!,
                _ => [part.SpecialId],
            };
            ids.AddRange(span);
            types.AddRange(Enumerable.Repeat(part.TypeId, span.Count));
        }

        return new TokenizedText([.. ids], [.. types]);
    }
}
