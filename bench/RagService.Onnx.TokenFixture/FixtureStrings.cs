using System.Text;
using System.Text.Json;

namespace RagService.Onnx.TokenFixture;

/// <summary>
/// The strings the tokenizer fixture covers: hand-picked hard cases (CJK, codes, emoji, accents, control characters,
/// odd whitespace), real English and Chinese text from ../shared/data, seeded random mixtures and 1,000+ token texts.
/// </summary>
internal static class FixtureStrings
{
    private static readonly string[] HandPicked =
    [
        "Hello, world!", "hello world", "HELLO WORLD", "The quick brown fox jumps over the lazy dog.",
        "unaffable", "Testing tests tested", "", " ", "   leading and trailing   ", "a", "I",
        "你好，世界。", "你们现在最便宜的披萨是什么？有没有什么优惠？", "我爱北京天安门", "中文English混合text", "披萨pizza比萨",
        "XYZ-123", "xyz-123 型号", "A1B2-C3D4", "SKU#00042/b", "v1.2.3-beta+build.7", "192.168.0.1:8080", "user@example.com",
        "https://example.com/path?q=1&r=two#frag", "C++ and C# and F#", "$19.99 / €5,00 / ¥300", "1,000,000.50", "50%off",
        "😀", "🍕 pizza 🍕", "👍🏽 thumbs", "👨‍👩‍👧‍👦 family", "🇨🇳🇺🇸 flags", "I ❤ NY", "★☆✓✗",
        "café", "naïve résumé", "Ångström", "Øre Ærø", "ﬁnance ﬂow", "e\u0301cole", "Crème brûlée", "São Paulo", "Zürich Straße",
        "ΑΒΓ αβγ", "Привет мир", "مرحبا بالعالم", "שלום", "नमस्ते", "こんにちは世界", "カタカナ", "안녕하세요 세계", "ไทย",
        "tab\there", "new\nline", "carriage\r\nreturn", "null\u0000char", "bell\u0007char", "escape\u001b[0m", "del\u007fchar",
        "zero\u200bwidth", "soft\u00adhyphen", "non\u00a0breaking", "\ufeffbom first", "line\u2028separator", "ideographic\u3000space",
        "ＡＢＣ１２３ｘｙｚ", "①②③", "½ ¼ ¾", "x² + y³", "∑∫√∞", "«quotes» “curly” ‘single’", "em—dash en–dash", "ellipsis…",
        "don't can't won't", "U.S.A. e.g. i.e.", "(parens) [brackets] {braces}", "a/b\\c|d", "snake_case camelCase PascalCase",
        "#hashtag @mention", "~`!@#$%^&*()-_=+", "......", "???!!!", "----", "[CLS] [SEP] [MASK] [PAD] [UNK]", "[cls] literal",
        new string('a', 99), new string('a', 100), new string('a', 101), new string('x', 250), "supercalifragilisticexpialidocious",
        "Pneumonoultramicroscopicsilicovolcanoconiosis is a long word", "antidisestablishmentarianism",
        "。！？；…", "“你好”，他说。", "【重要】通知：明天（周一）放假", "１２３４５６", "二〇二四年十二月", "第3章 第2节",
        "日本語と中文と한국어", "ё Ё й Й", "İstanbul ı I", "ß ẞ", "Ǆ ǅ ǆ", "ﬀ ﬃ", "Ⅻ Ⅷ", "㎏ ㎡ ℃", "™ © ®",
    ];

    public static List<string> Build(string sharedData)
    {
        var strings = new List<string>(HandPicked);
        strings.AddRange(QaTexts(Path.Combine(sharedData, "squad_v1.1_dev_trial.json"), contexts: 60, questions: 140));
        strings.AddRange(QaTexts(Path.Combine(sharedData, "cmrc2018_trial.json"), contexts: 40, questions: 80));
        strings.AddRange(RandomMixtures(seed: 20261130, count: 120));
        strings.AddRange(LongTexts(Path.Combine(sharedData, "squad_v1.1_dev_trial.json"), Path.Combine(sharedData, "cmrc2018_trial.json")));
        return strings;
    }

    private static IEnumerable<string> QaTexts(string file, int contexts, int questions)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        var items = document.RootElement.EnumerateArray().ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items.Where((_, i) => i % 3 == 0))
        {
            var context = item.GetProperty("context_text").GetString() ?? "";
            if (seen.Count < contexts && seen.Add(context))
            {
                yield return context;
            }
        }

        var asked = 0;
        foreach (var qa in items.SelectMany(i => i.GetProperty("qas").EnumerateArray()))
        {
            if (asked++ >= questions)
            {
                yield break;
            }

            yield return qa.GetProperty("query_text").GetString() ?? "";
        }
    }

    private static IEnumerable<string> RandomMixtures(int seed, int count)
    {
        string[] pools =
        [
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "     \t\n", ".,;:!?-_'\"()[]{}/\\@#$%^&*+=<>|~`",
            "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年", "éèêëàâäôöûüçñåøæœÿíóú", "😀🍕👍🎉❤️🇨🇳", "\u0000\u0001\u0007\u001b\u007f\u200b\u00ad\ufeff\u3000",
            "αβγδεζηθ", "абвгдеёж", "あいうえおカキクケコ", "가나다라마",
        ];
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var builder = new StringBuilder();
            var length = random.Next(1, 80);
            while (builder.Length < length)
            {
                var pool = pools[random.Next(pools.Length)];
                var at = random.Next(pool.Length);
                // Keep surrogate pairs whole.
                if (char.IsHighSurrogate(pool[at]) && at + 1 < pool.Length)
                {
                    builder.Append(pool, at, 2);
                }
                else if (!char.IsLowSurrogate(pool[at]))
                {
                    builder.Append(pool[at]);
                }
            }

            yield return builder.ToString();
        }
    }

    private static IEnumerable<string> LongTexts(string english, string chinese)
    {
        foreach (var file in new[] { english, chinese })
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var contexts = document.RootElement.EnumerateArray().Select(i => i.GetProperty("context_text").GetString() ?? "").Distinct().ToList();
            yield return string.Join("\n\n", contexts.Take(8));
            yield return string.Join(" ", contexts.Skip(10).Take(12));
        }
    }
}
