using System.Text;
using System.Text.RegularExpressions;

namespace RagService.Client.Sync;

/// <summary>
/// Per-path access lists for a folder sync, read from a text file CI keeps beside the folder (like CODEOWNERS). Rules:
/// one rule a line, "GLOB PRINCIPAL..." separated by spaces; blank lines and lines starting with '#' are skipped; the
/// glob is matched against the whole '/'-separated path ('*' and '?' within one folder level, '**' across levels,
/// "dir/**" everything below dir); the last matching line wins; a line with a glob alone, or no matching line, means no
/// access list (the collection's unlistedAccess decides). The service validates the principals as for any access list.
/// </summary>
public sealed class SyncAccessMap
{
    private readonly IReadOnlyList<(Regex Glob, IReadOnlyList<string> Principals)> _rules;

    private SyncAccessMap(IReadOnlyList<(Regex, IReadOnlyList<string>)> rules) => _rules = rules;

    /// <summary>Reads the map from a file (see <see cref="Parse"/>).</summary>
    public static SyncAccessMap Load(string file) => Parse(File.ReadAllText(file));

    /// <summary>Reads the map from its text.</summary>
    /// <exception cref="FormatException">A line's glob is malformed; the message names the line.</exception>
    public static SyncAccessMap Parse(string text)
    {
        var rules = new List<(Regex, IReadOnlyList<string>)>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts[0].StartsWith('/') || parts[0].Contains('\\'))
            {
                throw new FormatException($"line {i + 1}: the glob '{parts[0]}' must be relative to the folder, with '/' between folders");
            }

            rules.Add((Compile(parts[0]), parts[1..]));
        }

        return new SyncAccessMap(rules);
    }

    /// <summary>The access list of a path: the principals of the last rule matching it; empty for none.</summary>
    public IReadOnlyList<string> For(string path)
    {
        for (var i = _rules.Count - 1; i >= 0; i--)
        {
            if (_rules[i].Glob.IsMatch(path))
            {
                return _rules[i].Principals;
            }
        }

        return [];
    }

    private static Regex Compile(string glob)
    {
        var pattern = new StringBuilder(@"\A");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                pattern.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                pattern.Append(glob[i] switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    var c => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(pattern.Append(@"\z").ToString(), RegexOptions.CultureInvariant);
    }
}
