// A console chat with Semantic Kernel that answers from a RagService knowledge base: the model calls the
// knowledge base's "search" function when a question needs it and cites what it found.
//   RAG_URL (default http://127.0.0.1:5080), RAG_COLLECTION (default demo),
//   RAG_API_KEY (required; default: the key ./run.sh wrote to data/bootstrap-admin.key),
//   RAG_LLM_URL (required, OpenAI-compatible /v1 endpoint with tool calling), RAG_LLM_MODEL, RAG_LLM_KEY.
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using RagService.Client;
using RagService.Client.Errors;
using RagService.SemanticKernel;

static string Setting(string name, string? fallback = null) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
    : fallback ?? throw new InvalidOperationException($"set {name}");

var service = new Uri(Setting("RAG_URL", "http://127.0.0.1:5080"));
var collection = Setting("RAG_COLLECTION", "demo");
var llm = Setting("RAG_LLM_URL", "");
if (llm.Length == 0)
{
    Console.Error.WriteLine("set RAG_LLM_URL to an OpenAI-compatible endpoint with tool calling, e.g. http://127.0.0.1:11434/v1");
    return 2;
}

const string RunShKeyFile = "data/bootstrap-admin.key";
var apiKey = Setting("RAG_API_KEY", File.Exists(RunShKeyFile) ? File.ReadAllText(RunShKeyFile).Trim() : "");
if (apiKey.Length == 0)
{
    Console.Error.WriteLine($"set RAG_API_KEY to a key of the service (a reader key is enough); ./run.sh writes its admin key to {RunShKeyFile}");
    return 2;
}

var builder = Kernel.CreateBuilder();
builder.AddOpenAIChatCompletion(Setting("RAG_LLM_MODEL", "gpt-4o-mini"), new Uri(llm), Setting("RAG_LLM_KEY", "none"));
var kernel = builder.Build();

// The lines that add the knowledge base to any SK chatbot:
using var rag = new RagServiceClient(new RagServiceClientOptions { BaseAddress = service, ApiKey = apiKey });
try
{
    await rag.GetCollectionAsync(collection); // a wrong key or collection is said now, not hidden in the model's tool results
}
catch (Exception e) when (e is RagServiceException or HttpRequestException)
{
    Console.Error.WriteLine($"cannot read collection '{collection}' at {service}: {e.Message}");
    return 1;
}

var history = new ChatHistory("""
    You answer questions using the knowledge base. Call knowledge-search for every question about it, answer only from
    the passages it returns, cite each passage you use by its name, and answer in the language of the question.
    """);
kernel.AddRagServicePlugin(rag, service, collection, conversation: history); // knowledge-ask then sends the earlier turns
kernel.FunctionInvocationFilters.Add(new ToolFailureReporter());
var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

var chat = kernel.GetRequiredService<IChatCompletionService>();
Console.WriteLine($"chat with the '{collection}' knowledge base at {service} (empty line or Ctrl-D to quit)");
while (true)
{
    Console.Write("you> ");
    if (Console.ReadLine() is not { Length: > 0 } question)
    {
        return 0;
    }

    history.AddUserMessage(question);
    try
    {
        var reply = await chat.GetChatMessageContentAsync(history, settings, kernel);
        history.Add(reply);
        Console.WriteLine($"assistant> {reply.Content}");
    }
    catch (HttpOperationException e)
    {
        history.RemoveAt(history.Count - 1);
        Console.WriteLine($"assistant> (the model at {llm} failed: {(e.StatusCode is { } s ? $"HTTP {(int)s}" : "unreachable")})");
    }
}

/// <summary>Prints a knowledge-base call that failed (SK hands the error text to the model, which may not say so).</summary>
internal sealed class ToolFailureReporter : IFunctionInvocationFilter
{
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"(tool {context.Function.PluginName}-{context.Function.Name} failed: {e.Message})");
            throw;
        }
    }
}
