using System.CommandLine;
using RagService.Cli.CommandLine;

namespace RagService.Cli.Bench;

/// <summary>`--intra-op-spinning on | off | default` of the embedding benches: <see cref="Onnx.OnnxModelOptions.IntraOpSpinning"/> for an A/B run.</summary>
internal static class IntraOpSpinningOption
{
    public static Option<string> Create() =>
        OptionRules.Create("--intra-op-spinning", "ORT intra-op threads spin while idle: on | off | default (the service's default for the embedder, off)", "S", "default")
            .OneOf("on", "off", "default");

    public static bool? Parse(string? value) => value switch
    {
        "on" => true,
        "off" => false,
        _ => null,
    };
}
