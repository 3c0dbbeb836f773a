namespace RagService.Extraction.Text;

/// <summary>
/// Frequent Chinese characters in both simplified and traditional forms. Text in GBK decoded as Big5 (or the
/// reverse) turns into rare characters, so the decoding with more frequent characters is the right one.
/// </summary>
internal static class CommonHanzi
{
    private const string Characters = ""
        + "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还"
        + "进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或"
        + "新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太"
        + "量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交"
        + "规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调"
        + "深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历"
        + "首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧"
        + "黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值這個們來說時會對國為學過還進後發與長開關問見現當點從於動種樣經將實應頭體麼沒師業"
        + "機間員題給讓議產話書條區電數報輕邊號務門團網雙聽讀認總辦專導協氣歷幾願護運領論勞傳際驗參雖職場類態視寫覽買賣備轉錢車陽陰寶馬東華語鐘醫藥義術藝舉費選遠達農觀請調"
        + "隊設計統圖節壓單誰難嗎歡記錄處親";

    private static readonly HashSet<char> Set = [.. Characters];

    /// <summary>The share of frequent characters among the CJK ideographs of <paramref name="text"/> (0 when it has none).</summary>
    public static double ShareOfHanzi(string text)
    {
        var ideographs = text.Count(c => c is >= '\u4E00' and <= '\u9FFF');
        return ideographs == 0 ? 0 : (double)Score(text) / ideographs;
    }

    /// <summary>How many characters of <paramref name="text"/> are frequent hanzi.</summary>
    public static int Score(string text)
    {
        var score = 0;
        foreach (var c in text)
        {
            if (Set.Contains(c))
            {
                score++;
            }
        }
        return score;
    }
}
