using RagService.Api.Errors;

namespace RagService.Api.Security;

/// <summary>Collection scope checks for routes whose collection is not a {collection} route value (jobs, collection creation, lists).</summary>
internal static class CallerScope
{
    public static bool Allows(HttpContext http, string collection) => Caller.From(http.User)?.CanAccess(collection) ?? false;

    public static void Demand(HttpContext http, string collection)
    {
        if (!Allows(http, collection))
        {
            throw new ApiProblemException(StatusCodes.Status403Forbidden, "Forbidden",
                $"the key {Caller.From(http.User)?.KeyId} is not scoped to collection '{collection}'");
        }
    }
}
