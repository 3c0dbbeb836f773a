using Microsoft.SemanticKernel;
using RagService.Client;

namespace RagService.SemanticKernel;

/// <summary>Adds a RagService collection to a kernel.</summary>
public static class RagServiceKernelExtensions
{
    /// <summary>
    /// Adds <see cref="RagServicePlugin"/> (functions <c>search</c> and <c>ask</c>) for one collection. With
    /// FunctionChoiceBehavior.Auto() the model calls them when a question needs the knowledge base.
    /// </summary>
    /// <param name="serviceAddress">The service's root address, for the citation links.</param>
    /// <param name="pluginName">The plugin's name as the model sees it (functions are "{pluginName}-search", "{pluginName}-ask").</param>
    public static KernelPlugin AddRagServicePlugin(this Kernel kernel, RagServiceClient client, Uri serviceAddress, string collection, string pluginName = "knowledge")
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var plugin = KernelPluginFactory.CreateFromObject(new RagServicePlugin(client, serviceAddress, collection), pluginName);
        kernel.Plugins.Add(plugin);
        return plugin;
    }
}
