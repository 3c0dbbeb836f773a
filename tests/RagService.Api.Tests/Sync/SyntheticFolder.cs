using System.Text;

namespace RagService.Api.Tests.Sync;

/// <summary>A folder of markdown documents, each several chunks long, with a revision word in every paragraph and heading.</summary>
internal static class SyntheticFolder
{
    public static Dictionary<string, string> Create(int documents, string revision)
    {
        var files = new Dictionary<string, string>(documents);
        for (var i = 0; i < documents; i++)
        {
            var text = new StringBuilder($"# Manual {i} {revision}\n\n");
            for (var p = 0; p < 4; p++)
            {
                text.Append($"## Section {p} {revision}\n\n");
                for (var s = 0; s < 6; s++)
                {
                    text.Append($"Step {s} of section {p} in manual {i} ({revision}): check the oven seal, the fan and the thermostat before service. ");
                }

                text.Append("\n\n");
            }

            files[$"manuals/manual-{i:D4}.md"] = text.ToString();
        }

        return files;
    }
}
