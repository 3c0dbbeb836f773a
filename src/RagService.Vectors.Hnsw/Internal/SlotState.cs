namespace RagService.Vectors.Hnsw.Internal;

/// <summary>Life cycle of a storage slot. Fresh (zeroed) slots are Pending, so half-written ones are never returned.</summary>
internal static class SlotState
{
    public const byte Pending = 0;
    public const byte Live = 1;
    public const byte Deleted = 2;
}
