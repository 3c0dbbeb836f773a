namespace RagService.Onnx.Bench;

/// <summary>One timed stretch of calls: wall seconds and process CPU seconds.</summary>
internal readonly record struct Measurement(int Calls, double Wall, double Cpu)
{
    public Measurement Add(Measurement other) => new(Calls + other.Calls, Wall + other.Wall, Cpu + other.Cpu);

    public double PerWallSecond(int itemsPerCall) => Calls * itemsPerCall / Wall;

    public double PerCpuSecond(int itemsPerCall) => Calls * itemsPerCall / Cpu;
}
