using Microsoft.Extensions.DependencyInjection;

namespace RagService.Core.Prompting;

/// <summary>Whether the container holds a real LLM, for registrations that add an LLM-backed part only when there is one.</summary>
public static class AnswerModelRegistration
{
    /// <summary>The last <see cref="AnswerModel"/> registered is a real LLM (<see cref="AnswerModel.None"/> is registered as itself).</summary>
    public static bool HasAnswerModel(this IServiceCollection services) =>
        services.LastOrDefault(d => d.ServiceType == typeof(AnswerModel) && !d.IsKeyedService) is { } model
            && !ReferenceEquals(model.ImplementationInstance, AnswerModel.None);
}
