namespace RagService.Extraction.Tests.Fixtures;

/// <summary>Splits a line into runs of CJK and non-CJK characters, each drawn with its own font (PDF fixtures, PDF bench).</summary>
internal static class ScriptRuns
{
    public static IEnumerable<(string Run, bool IsCjk)> Of(string line)
    {
        var start = 0;
        for (var i = 1; i <= line.Length; i++)
        {
            if (i == line.Length || IsCjk(line[i]) != IsCjk(line[start]))
            {
                yield return (line[start..i], IsCjk(line[start]));
                start = i;
            }
        }
    }

    public static bool IsCjk(char c) => c >= 0x2E80;
}
