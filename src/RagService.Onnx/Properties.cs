using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("RagService.Onnx.Tests")]
