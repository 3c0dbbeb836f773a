namespace RagService.Onnx.Native;

/// <summary>
/// Positions of the functions we call in the <c>OrtApi</c> function-pointer table, counted from
/// onnxruntime_c_api.h. ORT only appends to the table, so these hold for every API version we request.
/// Each slot is exercised by a test; a wrong index would crash or return a wrong error text there.
/// </summary>
internal enum OrtApiSlot
{
    CreateStatus = 0,
    GetErrorCode = 1,
    GetErrorMessage = 2,
    CreateEnv = 3,
    CreateSession = 7,
    Run = 9,
    CreateSessionOptions = 10,
    SetSessionExecutionMode = 13,
    SetSessionGraphOptimizationLevel = 23,
    SetIntraOpNumThreads = 24,
    SetInterOpNumThreads = 25,
    SessionGetInputCount = 30,
    SessionGetOutputCount = 31,
    SessionGetInputTypeInfo = 33,
    SessionGetOutputTypeInfo = 34,
    SessionGetInputName = 36,
    SessionGetOutputName = 37,
    CreateTensorWithDataAsOrtValue = 49,
    GetTensorMutableData = 51,
    CastTypeInfoToTensorInfo = 55,
    GetTensorElementType = 60,
    GetDimensionsCount = 61,
    GetDimensions = 62,
    GetTensorTypeAndShape = 65,
    CreateCpuMemoryInfo = 69,
    AllocatorFree = 76,
    GetAllocatorWithDefaultOptions = 78,
    ReleaseEnv = 92,
    ReleaseStatus = 93,
    ReleaseMemoryInfo = 94,
    ReleaseSession = 95,
    ReleaseValue = 96,
    ReleaseTypeInfo = 98,
    ReleaseTensorTypeAndShapeInfo = 99,
    ReleaseSessionOptions = 100,
    GetAvailableProviders = 125,
    ReleaseAvailableProviders = 126,
    AddSessionConfigEntry = 130,
    SessionOptionsAppendExecutionProviderCuda = 152,
}
