using System.Text;

namespace RagService.Extraction.Tests.Fixtures;

/// <summary>Writes numbered PDF objects with their byte offsets, then the cross-reference table or a startxref.</summary>
internal sealed class PdfWriter
{
    private readonly MemoryStream _pdf = new();
    private readonly List<long> _offsets = [];

    public PdfWriter() => Ascii("%PDF-1.5\n%\u00e2\u00e3\u00cf\u00d3\n");

    public long NextOffset => _pdf.Length;

    public void Object(string body)
    {
        _offsets.Add(_pdf.Length);
        Ascii($"{_offsets.Count} 0 obj\n{body}\nendobj\n");
    }

    public void Stream(string dictionaryEntries, byte[] data)
    {
        _offsets.Add(_pdf.Length);
        Ascii($"{_offsets.Count} 0 obj\n<< {dictionaryEntries} /Length {data.Length} >>\nstream\n");
        _pdf.Write(data);
        Ascii("\nendstream\nendobj\n");
    }

    public byte[] EndWithTable()
    {
        var xref = _pdf.Length;
        Ascii($"xref\n0 {_offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in _offsets)
        {
            Ascii($"{offset:D10} 00000 n \n");
        }

        Ascii($"trailer\n<< /Size {_offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return _pdf.ToArray();
    }

    public byte[] EndWithStartXref(long xref)
    {
        Ascii($"startxref\n{xref}\n%%EOF\n");
        return _pdf.ToArray();
    }

    private void Ascii(string text) => _pdf.Write(Encoding.Latin1.GetBytes(text));
}
