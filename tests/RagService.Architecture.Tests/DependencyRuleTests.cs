using NetArchTest.Rules;

namespace RagService.Architecture.Tests;

/// <summary>
/// The dependency rules of docs/architecture.md, checked on the built assemblies: Core is free of adapters and
/// infrastructure, adapters do not know each other, the hosts name a storage engine only in their composition code,
/// and the NuGet client is a leaf the server does not depend on.
/// </summary>
public sealed class DependencyRuleTests
{
    [Fact]
    public void Core_depends_on_no_adapter_host_or_infrastructure_package()
    {
        var forbidden = Layers.Adapters.Concat(["RagService.Api", "RagService.Cli", Layers.Client]).Concat(Layers.InfrastructurePackages).ToArray();
        AssertKept(Types.InAssembly(Layers.Load(Layers.Core)).ShouldNot().HaveDependencyOnAny(forbidden).GetResult());
    }

    public static TheoryData<string> Adapters() => [.. Layers.Adapters];

    [Theory]
    [MemberData(nameof(Adapters))]
    public void An_adapter_references_no_other_adapter_and_no_host(string adapter)
    {
        // Exact namespaces: "RagService.Lexical.Lucene" must not match "RagService.Lexical.Lucene.Analysis" of the same adapter.
        var others = Layers.Adapters.Where(a => a != adapter && !adapter.StartsWith(a + ".", StringComparison.Ordinal) && !a.StartsWith(adapter + ".", StringComparison.Ordinal))
            .Concat(["RagService.Api", "RagService.Cli", Layers.Client]).ToArray();
        AssertKept(Types.InAssembly(Layers.Load(adapter)).ShouldNot().HaveDependencyOnAny(others).GetResult());
    }

    [Fact]
    public void The_api_names_a_storage_engine_only_in_its_composition_code()
    {
        AssertKept(Types.InAssembly(Layers.Load("RagService.Api")).That().DoNotResideInNamespace("RagService.Api.Hosting")
            .ShouldNot().HaveDependencyOnAny(Layers.StorageEngines).GetResult());
    }

    [Fact]
    public void The_cli_names_a_storage_engine_only_in_its_composition_code()
    {
        // Local composes the local knowledge base; migrate and the engine benchmarks exist to name engines.
        AssertKept(Types.InAssembly(Layers.Load("rag")).That().DoNotResideInNamespace("RagService.Cli.Local")
            .And().DoNotResideInNamespace("RagService.Cli.Migrate").And().DoNotResideInNamespace("RagService.Cli.Bench")
            .ShouldNot().HaveDependencyOnAny(Layers.StorageEngines).GetResult());
    }

    public static TheoryData<string> ServerAssemblies() => [Layers.Core, .. Layers.Adapters, "RagService.Api", "RagService.Extraction.Worker"];

    [Theory]
    [MemberData(nameof(ServerAssemblies))]
    public void Only_the_semantic_kernel_plugin_and_the_cli_use_the_client(string assembly)
    {
        AssertKept(Types.InAssembly(Layers.Load(assembly)).ShouldNot().HaveDependencyOn(Layers.Client).GetResult());
    }

    private static void AssertKept(TestResult result) =>
        Assert.True(result.IsSuccessful, "breaks the rule: " + string.Join(", ", result.FailingTypeNames ?? []));
}
