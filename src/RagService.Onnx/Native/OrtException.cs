namespace RagService.Onnx.Native;

/// <summary>An error reported by ONNX Runtime (an <c>OrtStatus</c>), carrying ORT's own message and code.</summary>
public sealed class OrtException : Exception
{
    public OrtException(string message) : base(message) { }

    public OrtException(string message, Exception innerException) : base(message, innerException) { }

    public OrtException(OrtErrorCode code, string operation, string ortMessage)
        : base($"ONNX Runtime {operation} failed ({code}): {ortMessage}")
    {
        Code = code;
        OrtMessage = ortMessage;
    }

    public OrtException() { }

    public OrtErrorCode Code { get; }

    /// <summary>The message text exactly as ORT reported it.</summary>
    public string OrtMessage { get; } = "";
}

/// <summary>OrtErrorCode from the C API.</summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    EpFail = 11,
}
