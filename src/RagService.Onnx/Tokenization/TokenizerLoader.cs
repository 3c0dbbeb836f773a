using System.Text.Json;

namespace RagService.Onnx.Tokenization;

/// <summary>
/// A tokenizer read from a model directory, with the maximum length its config declares (if any), the file it came
/// from and how many ids its vocabulary has (the model must accept every one of them).
/// </summary>
public sealed record LoadedTokenizer(ITokenizer Tokenizer, string Kind, int? ModelMaxLength, string File = "", int VocabularySize = 0);

/// <summary>
/// Reads a tokenizer from a Hugging Face model directory: a SentencePiece model proto (<c>sentencepiece.bpe.model</c>,
/// else a single <c>*.model</c>) through Microsoft.ML.Tokenizers when present (<see cref="LibrarySentencePiece"/>,
/// numbered as tokenizer.json numbers its pieces when that ships too); else <c>tokenizer.json</c> (WordPiece, or
/// Unigram with our <see cref="UnigramModel"/>, kept because a tokenizer.json-only model has no proto for the library
/// to load); else <c>vocab.txt</c> with <c>tokenizer_config.json</c> (BERT WordPiece).
/// </summary>
public static class TokenizerLoader
{
    public static LoadedTokenizer FromDirectory(string directory)
    {
        var config = ReadJson(Path.Combine(directory, "tokenizer_config.json"));
        var maxLength = ModelMaxLength(config);
        var tokenizerJson = Path.Combine(directory, "tokenizer.json");
        if (SentencePieceProto(directory) is { } proto)
        {
            return FromSentencePiece(proto, File.Exists(tokenizerJson) ? tokenizerJson : null, maxLength);
        }

        if (File.Exists(tokenizerJson))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(tokenizerJson));
            var (tokenizer, kind) = FromTokenizerJson(document.RootElement);
            var vocab = document.RootElement.GetProperty("model").GetProperty("vocab");
            var size = vocab.ValueKind == JsonValueKind.Array ? vocab.GetArrayLength() : vocab.EnumerateObject().Count();
            return new LoadedTokenizer(tokenizer, kind, maxLength, tokenizerJson, size);
        }

        var vocabTxt = Path.Combine(directory, "vocab.txt");
        if (File.Exists(vocabTxt))
        {
            var lines = File.ReadAllLines(vocabTxt);
            return new LoadedTokenizer(FromVocabTxt(lines, BertSettings(config)), "wordpiece (vocab.txt)", maxLength, vocabTxt, lines.Length);
        }

        throw new FileNotFoundException($"No tokenizer in {directory}: expected tokenizer.json or vocab.txt.");
    }

    /// <summary>
    /// The SentencePiece proto through the library; with a tokenizer.json beside it, that file's numbering, template and
    /// pad id, else the proto's ids with &lt;s&gt; … &lt;/s&gt; around each text (XLM-R's layout) when it has those pieces.
    /// </summary>
    public static LoadedTokenizer FromSentencePiece(string proto, string? tokenizerJson, int? maxLength)
    {
        if (tokenizerJson is not null)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(tokenizerJson));
            var root = document.RootElement;
            var ids = VocabularyIds(root.GetProperty("model").GetProperty("vocab"));
            var mapped = LibrarySentencePiece.Load(proto, ids);
            var template = ReadTemplate(root, ids.GetValueOrDefault) ?? EncodingTemplate.Roberta(Required(ids, "<s>"), Required(ids, "</s>"));
            return new LoadedTokenizer(new Tokenizer(mapped, template, PadId(root, ids.GetValueOrDefault("<pad>", 1))), "sentencepiece (library, tokenizer.json ids)",
                maxLength, proto, ids.Count);
        }

        var model = LibrarySentencePiece.Load(proto, null);
        var own = model.IdOf("<s>") is { } start && model.IdOf("</s>") is { } end
            ? EncodingTemplate.Roberta(start, end)
            : new EncodingTemplate([TemplatePart.A()], [TemplatePart.A(), TemplatePart.B(0)]);
        return new LoadedTokenizer(new Tokenizer(model, own, model.IdOf("<pad>") ?? model.UnknownId), "sentencepiece (library)", maxLength, proto, model.VocabularySize);
    }

    /// <summary>sentencepiece.bpe.model, else the one *.model file of the directory; null when there is none (or several).</summary>
    private static string? SentencePieceProto(string directory)
    {
        var named = Path.Combine(directory, "sentencepiece.bpe.model");
        if (File.Exists(named))
        {
            return named;
        }

        var protos = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.model") : [];
        return protos.Length == 1 ? protos[0] : null;
    }

    /// <summary>Piece to id of a tokenizer.json vocabulary: an object (WordPiece) or [piece, score] pairs numbered in order (Unigram).</summary>
    private static Dictionary<string, int> VocabularyIds(JsonElement vocab)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        if (vocab.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in vocab.EnumerateObject())
            {
                ids[entry.Name] = entry.Value.GetInt32();
            }

            return ids;
        }

        var i = 0;
        foreach (var entry in vocab.EnumerateArray())
        {
            ids.TryAdd(entry[0].GetString() ?? "", i++);
        }

        return ids;
    }

    /// <summary>A BERT WordPiece tokenizer over the lines of a vocab.txt (line number = id).</summary>
    public static ITokenizer FromVocabTxt(IEnumerable<string> lines, BertNormalization normalization)
    {
        var wordPiece = LibraryWordPiece.Create([.. lines], normalization);
        return new Tokenizer(wordPiece, EncodingTemplate.Bert(wordPiece.ClassificationId, wordPiece.SeparatorId), wordPiece.PaddingId);
    }

    /// <summary>Builds a tokenizer from the root of a tokenizer.json document.</summary>
    public static (ITokenizer Tokenizer, string Kind) FromTokenizerJson(JsonElement root)
    {
        var model = root.GetProperty("model");
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "WordPiece":
            {
                var vocab = VocabularyIds(model.GetProperty("vocab"));

                var lines = vocab.OrderBy(p => p.Value).Select((p, i) => p.Value == i
                    ? p.Key
                    : throw new InvalidDataException($"tokenizer.json WordPiece vocabulary has no token with id {i}.")).ToList();
                var wordPiece = LibraryWordPiece.Create(lines, FindBertNormalizer(root),
                    String(model, "unk_token") ?? "[UNK]", String(model, "continuing_subword_prefix") ?? "##",
                    model.TryGetProperty("max_input_chars_per_word", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32() : 100);
                var template = ReadTemplate(root, vocab.GetValueOrDefault) ?? EncodingTemplate.Bert(wordPiece.ClassificationId, wordPiece.SeparatorId);
                return (new Tokenizer(wordPiece, template, PadId(root, wordPiece.PaddingId)), "wordpiece");
            }

            case "Unigram":
            {
                var pieces = model.GetProperty("vocab").EnumerateArray().Select(e => (e[0].GetString() ?? "", e[1].GetDouble())).ToList();
                var ids = VocabularyIds(model.GetProperty("vocab"));

                var unigram = new UnigramModel(pieces, model.TryGetProperty("unk_id", out var u) && u.ValueKind == JsonValueKind.Number ? u.GetInt32() : 0,
                    MetaspaceReplacement(root));
                var template = ReadTemplate(root, ids.GetValueOrDefault) ?? EncodingTemplate.Roberta(Required(ids, "<s>"), Required(ids, "</s>"));
                return (new Tokenizer(unigram, template, PadId(root, ids.GetValueOrDefault("<pad>", 1))), "unigram");
            }

            default:
                throw new NotSupportedException($"tokenizer.json model type '{type}' is not supported; WordPiece and Unigram are.");
        }
    }

    private static BertNormalization BertSettings(JsonElement? config)
    {
        if (config is not { } c)
        {
            return new BertNormalization();
        }

        return new BertNormalization(
            Lowercase: !c.TryGetProperty("do_lower_case", out var lower) || lower.ValueKind != JsonValueKind.False,
            StripAccents: c.TryGetProperty("strip_accents", out var strip) && strip.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? strip.GetBoolean()
                : null,
            SplitCjkCharacters: !c.TryGetProperty("tokenize_chinese_chars", out var cjk) || cjk.ValueKind != JsonValueKind.False);
    }

    private static BertNormalization FindBertNormalizer(JsonElement root)
    {
        foreach (var normalizer in Components(root, "normalizer", "normalizers"))
        {
            if (String(normalizer, "type") == "BertNormalizer")
            {
                return new BertNormalization(
                    Lowercase: Bool(normalizer, "lowercase") ?? true,
                    StripAccents: Bool(normalizer, "strip_accents"),
                    SplitCjkCharacters: Bool(normalizer, "handle_chinese_chars") ?? true,
                    CleanText: Bool(normalizer, "clean_text") ?? true);
            }
        }

        // A WordPiece tokenizer without a BERT normalizer is cased.
        return new BertNormalization(Lowercase: false, StripAccents: false);
    }

    private static char MetaspaceReplacement(JsonElement root)
    {
        foreach (var pre in Components(root, "pre_tokenizer", "pretokenizers"))
        {
            if (String(pre, "type") == "Metaspace" && String(pre, "replacement") is { Length: 1 } r)
            {
                return r[0];
            }
        }

        return '\u2581';
    }

    private static EncodingTemplate? ReadTemplate(JsonElement root, Func<string, int, int> idOf)
    {
        foreach (var processor in Components(root, "post_processor", "processors"))
        {
            switch (String(processor, "type"))
            {
                case "BertProcessing":
                    return EncodingTemplate.Bert(processor.GetProperty("cls")[1].GetInt32(), processor.GetProperty("sep")[1].GetInt32());
                case "RobertaProcessing":
                    return EncodingTemplate.Roberta(processor.GetProperty("cls")[1].GetInt32(), processor.GetProperty("sep")[1].GetInt32());
                case "TemplateProcessing":
                    return new EncodingTemplate(TemplateParts(processor, "single", idOf), TemplateParts(processor, "pair", idOf));
            }
        }

        return null;
    }

    private static List<TemplatePart> TemplateParts(JsonElement processor, string name, Func<string, int, int> idOf)
    {
        var specials = processor.TryGetProperty("special_tokens", out var s) ? s : default;
        var parts = new List<TemplatePart>();
        foreach (var item in processor.GetProperty(name).EnumerateArray())
        {
            if (item.TryGetProperty("Sequence", out var seq))
            {
                var typeId = seq.GetProperty("type_id").GetInt32();
                parts.Add(String(seq, "id") == "B" ? TemplatePart.B(typeId) : TemplatePart.A(typeId));
            }
            else if (item.TryGetProperty("SpecialToken", out var special))
            {
                var token = String(special, "id") ?? "";
                var id = specials.ValueKind == JsonValueKind.Object && specials.TryGetProperty(token, out var entry)
                    ? entry.GetProperty("ids")[0].GetInt32()
                    : idOf(token, -1);
                if (id < 0)
                {
                    throw new InvalidDataException($"tokenizer.json template uses special token '{token}' that has no id.");
                }

                parts.Add(TemplatePart.Special(id, special.GetProperty("type_id").GetInt32()));
            }
        }

        return parts;
    }

    /// <summary>The component itself, or the members of a "Sequence" component.</summary>
    private static IEnumerable<JsonElement> Components(JsonElement root, string property, string sequenceMembers)
    {
        if (!root.TryGetProperty(property, out var component) || component.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        if (String(component, "type") == "Sequence" && component.TryGetProperty(sequenceMembers, out var members))
        {
            foreach (var member in members.EnumerateArray())
            {
                yield return member;
            }
        }
        else
        {
            yield return component;
        }
    }

    private static int PadId(JsonElement root, int fallback) =>
        root.TryGetProperty("padding", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("pad_id", out var id)
            ? id.GetInt32()
            : fallback;

    private static int? ModelMaxLength(JsonElement? config) =>
        config is { } c && c.TryGetProperty("model_max_length", out var m) && m.ValueKind == JsonValueKind.Number
            && m.TryGetDouble(out var value) && value is > 0 and < 1_000_000
            ? (int)value
            : null;

    private static JsonElement? ReadJson(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    private static int Required(IReadOnlyDictionary<string, int> vocab, string token) =>
        vocab.TryGetValue(token, out var id) ? id : throw new InvalidDataException($"Vocabulary has no '{token}' token.");

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool? Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
