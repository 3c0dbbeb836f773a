namespace RagService.SemanticKernel;

/// <summary>A passage from the knowledge base as a model sees it: cite it as [Number] or by Name and Link.</summary>
/// <param name="Number">Position in the results, 1-based: what [n] in an answer refers to.</param>
/// <param name="Name">The document's title (or id when it has none), with its section when known.</param>
/// <param name="Link">The document's address on the service.</param>
/// <param name="Text">The passage.</param>
public sealed record Citation(int Number, string Name, string Link, string Text);
