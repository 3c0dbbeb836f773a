using System.Text;

namespace RagService.Extraction.Text;

/// <summary>
/// Turns bytes of a text file into a string: BOM first, then strict UTF-8, then a declared charset,
/// then GB18030 vs Big5 chosen by how many common Chinese characters each decoding yields, and Windows-1252 when
/// neither reads like Chinese (Western European text without a declared charset).
/// </summary>
public static class TextDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static TextDecoder() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Decodes <paramref name="bytes"/>; returns null when no supported encoding reads them cleanly.</summary>
    /// <param name="declaredCharset">A charset named by the source (HTTP content type, HTML meta), used when the bytes are not UTF.</param>
    public static DecodedText? TryDecode(ReadOnlySpan<byte> bytes, string? declaredCharset = null)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return TryStrict(StrictUtf8, bytes[3..], "utf-8");
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return TryStrict(new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), bytes[2..], "utf-16le");
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return TryStrict(new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), bytes[2..], "utf-16be");
        }

        if (TryStrict(StrictUtf8, bytes, "utf-8") is { } utf8)
        {
            return utf8;
        }

        if (declaredCharset is not null && GetStrictEncoding(declaredCharset) is { } declared
            && TryStrict(declared, bytes, declared.WebName) is { } fromDeclared)
        {
            return fromDeclared;
        }

        var gb = TryStrict(GetStrictEncoding("gb18030")!, bytes, "gb18030");
        var big5 = TryStrict(GetStrictEncoding("big5")!, bytes, "big5");
        var chinese = gb is null || big5 is null
            ? gb ?? big5
            : CommonHanzi.Score(big5.Text) > CommonHanzi.Score(gb.Text) ? big5 : gb;
        // Real Chinese text is mostly frequent characters; Latin-1 bytes read as GBK/Big5 give rare ones.
        if (chinese is not null && CommonHanzi.ShareOfHanzi(chinese.Text) >= 0.3)
        {
            return chinese;
        }

        return TryStrict(GetStrictEncoding("windows-1252")!, bytes, "windows-1252") ?? chinese;
    }

    /// <summary>An encoding for <paramref name="charset"/> that throws on invalid bytes, or null if the name is unknown.</summary>
    public static Encoding? GetStrictEncoding(string charset)
    {
        var name = charset.Trim().Trim('"', '\'').ToLowerInvariant();
        // GBK and GB2312 are subsets of GB18030; decoding them as GB18030 never loses characters.
        if (name is "gbk" or "gb2312" or "x-gbk" or "cp936" or "euc-cn")
        {
            name = "gb18030";
        }

        try
        {
            return Encoding.GetEncoding(name, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static DecodedText? TryStrict(Encoding encoding, ReadOnlySpan<byte> bytes, string name)
    {
        try
        {
            return new DecodedText(encoding.GetString(bytes), name);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

/// <summary>Decoded text and the name of the encoding that produced it.</summary>
public sealed record DecodedText(string Text, string EncodingName);
