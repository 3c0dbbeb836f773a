using Microsoft.AspNetCore.Authorization;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>
/// A route's need: at least <see cref="Role"/>; the key's collection scope must include the route's {collection};
/// <see cref="AllCollections"/> routes (keys, metrics) need a key that is not scoped at all.
/// </summary>
internal sealed class RagAccessRequirement(ApiRole role, bool allCollections) : AuthorizationHandler<RagAccessRequirement>, IAuthorizationRequirement
{
    public ApiRole Role { get; } = role;

    public bool AllCollections { get; } = allCollections;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RagAccessRequirement requirement)
    {
        var caller = Caller.From(context.User);
        if (caller is null)
        {
            return Task.CompletedTask;
        }

        var collection = (context.Resource as HttpContext)?.GetRouteValue("collection") as string;
        string? refusal = null;
        if (caller.Role < requirement.Role)
        {
            refusal = $"the key {caller.KeyId} has role {Name(caller.Role)}; this route needs {Name(requirement.Role)}";
        }
        else if (requirement.AllCollections && !caller.IsGlobal)
        {
            refusal = $"the key {caller.KeyId} is scoped to some collections; this route needs a key for every collection";
        }
        else if (collection is not null && !caller.CanAccess(collection))
        {
            refusal = $"the key {caller.KeyId} is not scoped to collection '{collection}'";
        }

        if (refusal is null)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, refusal));
        }

        return Task.CompletedTask;
    }

    public static string Name(ApiRole role) => role.ToString().ToLowerInvariant();
}

/// <summary>The policies routes declare.</summary>
internal static class RagPolicies
{
    public static AuthorizationPolicy For(ApiRole role, bool allCollections = false) =>
        new AuthorizationPolicyBuilder().AddRequirements(new RagAccessRequirement(role, allCollections)).Build();

    /// <summary>Declares who may call the route; see <see cref="RagAccessRequirement"/>.</summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, ApiRole role, bool allCollections = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(For(role, allCollections));
}
