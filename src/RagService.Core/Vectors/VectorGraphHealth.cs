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
/// <param name="DuplicateVectors">
/// Vectors kept off the graph as copies (equal within float rounding) of a vector in it and returned with it, including
/// removed copies not yet compacted away (docs/vector-index.md, "Copies of one vector"); repeated boilerplate chunks show up here.
/// </param>
public sealed record VectorGraphHealth(int Vectors, int UnreachableVectors, int Level0InDegreeZero, int Level0Unreachable, int Levels, int DuplicateVectors = 0);
