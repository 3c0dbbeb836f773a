using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

// The official OpenAI .NET SDK against RagService's OpenAI-compatible route: the model is a collection.
var baseUrl = Environment.GetEnvironmentVariable("RAG_URL") ?? "http://127.0.0.1:5080";
var key = Environment.GetEnvironmentVariable("RAG_API_KEY") ?? File.ReadAllText("data/bootstrap-admin.key").Trim();
var collection = Environment.GetEnvironmentVariable("RAG_COLLECTION") ?? "demo";
var question = args.Length > 0 ? string.Join(' ', args) : "你们现在最便宜的披萨是什么？";

var chat = new ChatClient(collection, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri($"{baseUrl}/v1") });

// One answer, with its [n] markers and a url_citation annotation per marker.
ChatCompletion answer = await chat.CompleteChatAsync([new UserChatMessage(question)]);
Console.WriteLine(answer.Content[0].Text);
foreach (var citation in answer.Annotations)
{
    Console.WriteLine($"  {answer.Content[0].Text[citation.StartIndex..citation.EndIndex]} {citation.WebResourceTitle} <{citation.WebResourceUri}>");
}

// The same question streamed, then a follow-up that carries the conversation so far.
await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(question)]))
{
    foreach (var part in update.ContentUpdate)
    {
        Console.Write(part.Text);
    }
}

Console.WriteLine();
ChatCompletion followUp = await chat.CompleteChatAsync(
    [new UserChatMessage(question), new AssistantChatMessage(answer.Content[0].Text), new UserChatMessage("有没有什么优惠？")]);
Console.WriteLine(followUp.Content[0].Text);
