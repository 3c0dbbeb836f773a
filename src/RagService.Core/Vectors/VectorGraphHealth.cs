namespace RagService.Core.Vectors;

/// <summary>
/// Connectivity of a collection's approximate vector index (HNSW graph), for operators. Unreachable vectors are
/// missing from every dense result; a healthy index has none.
/// </summary>
/// <param name="Vectors">Live vectors in the graph.</param>
/// <param name="UnreachableVectors">Live vectors that a walk from the entry point over all levels never reaches.</param>
/// <param name="Level0InDegreeZero">Vectors no other vector links to on the bottom level.</param>
/// <param name="Level0Unreachable">Vectors (live or removed) a walk over the bottom level from the entry point never reaches.</param>
/// <param name="Levels">Levels of the graph.</param>
public sealed record VectorGraphHealth(int Vectors, int UnreachableVectors, int Level0InDegreeZero, int Level0Unreachable, int Levels);
