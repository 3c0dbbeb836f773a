using System.Runtime.InteropServices;

namespace RagService.Onnx.Native;

/// <summary>Owns one ORT object (session, options, env, memory info) and releases it with its ORT release function.</summary>
internal sealed unsafe class OrtHandle : SafeHandle
{
    private static long s_live;
    private readonly delegate* unmanaged<nint, void> _release;

    public OrtHandle(nint handle, delegate* unmanaged<nint, void> release)
        : base(0, ownsHandle: true)
    {
        _release = release;
        SetHandle(handle);
        Interlocked.Increment(ref s_live);
    }

    /// <summary>How many ORT objects are currently held by handles of this type, process-wide (for leak tests).</summary>
    public static long LiveCount => Interlocked.Read(ref s_live);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        _release(handle);
        Interlocked.Decrement(ref s_live);
        return true;
    }
}
