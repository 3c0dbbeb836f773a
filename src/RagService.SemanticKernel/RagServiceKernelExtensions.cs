using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
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
    /// <param name="conversation">The chat the plugin serves: <c>ask</c> passes its earlier turns to the service as history.</param>
    public static KernelPlugin AddRagServicePlugin(this Kernel kernel, RagServiceClient client, Uri serviceAddress, string collection, string pluginName = "knowledge",
        ChatHistory? conversation = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var plugin = KernelPluginFactory.CreateFromObject(new RagServicePlugin(client, serviceAddress, collection, conversation), pluginName);
        kernel.Plugins.Add(plugin);
        return plugin;
    }
}
