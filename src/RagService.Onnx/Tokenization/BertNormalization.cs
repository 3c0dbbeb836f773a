namespace RagService.Onnx.Tokenization;

/// <summary>BERT's basic tokenization settings (BertNormalizer in tokenizer.json, do_lower_case in tokenizer_config.json).</summary>
public sealed record BertNormalization(bool Lowercase = true, bool? StripAccents = null, bool SplitCjkCharacters = true, bool CleanText = true)
{
    /// <summary>Hugging Face's rule: strip_accents unset follows lowercase.</summary>
    public bool ShouldStripAccents => StripAccents ?? Lowercase;
}
