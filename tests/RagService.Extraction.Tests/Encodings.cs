using System.Text;

namespace RagService.Extraction.Tests;

internal static class Encodings
{
    static Encodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding Gbk => Encoding.GetEncoding(936);
    public static Encoding Big5 => Encoding.GetEncoding(950);
    public static Encoding Gb18030 => Encoding.GetEncoding("gb18030");
    public static Encoding Windows1252 => Encoding.GetEncoding(1252);
}
