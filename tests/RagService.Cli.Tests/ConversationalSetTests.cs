using RagService.Cli.Eval;

namespace RagService.Cli.Tests;

public sealed class ConversationalSetTests
{
    /// <summary>
    /// Passage 1 (title 尤金袋鼠, says 它 twice and 他 never): q2 names the title after q1 did → a pair with 它;
    /// q3 does not name it → no pair; q4 names it and follows q2, the nearest earlier question naming it.
    /// Passage 2 (title 松平康忠, says 他 twice and 它 once): the follow-up gets 他. Its first question does not name
    /// the title, so the second is asked after nothing → no pair; the third follows the second.
    /// </summary>
    private const string Cmrc = """
        [
          {"context_id": "A", "title": "尤金袋鼠", "context_text": "尤金袋鼠是小型袋鼠。它分布在澳洲，它吃草。",
           "qas": [
             {"query_id": "A1", "query_text": "尤金袋鼠分布在哪里？", "answers": ["澳洲"]},
             {"query_id": "A2", "query_text": "尤金袋鼠吃什么？", "answers": ["草"]},
             {"query_id": "A3", "query_text": "小型袋鼠是什么？", "answers": ["尤金袋鼠"]},
             {"query_id": "A4", "query_text": "尤金袋鼠属于尤金袋鼠科吗？", "answers": ["是"]}
           ]},
          {"context_id": "B", "title": "松平康忠", "context_text": "松平康忠是武将。他出生于1547年，他侍奉德川家康。它",
           "qas": [
             {"query_id": "B1", "query_text": "谁是武将？", "answers": ["松平康忠"]},
             {"query_id": "B2", "query_text": "松平康忠出生于哪一年？", "answers": ["1547年"]},
             {"query_id": "B3", "query_text": "松平康忠侍奉谁？", "answers": ["德川家康"]}
           ]}
        ]
        """;

    [Fact]
    public void Follow_ups_replace_the_title_with_the_passages_own_pronoun_after_the_nearest_question_naming_it()
    {
        var file = Path.Combine(Path.GetTempPath(), $"convo_cmrc_{Guid.NewGuid():N}.json");
        File.WriteAllText(file, Cmrc);
        try
        {
            var pairs = ConversationalSet.FromCmrc(file);

            Assert.Equal(["A2", "A4", "B3"], pairs.Select(p => p.Id));
            Assert.Equal(("尤金袋鼠分布在哪里？", "澳洲", "它吃什么？", "尤金袋鼠吃什么？"), (pairs[0].Previous, pairs[0].PreviousAnswer, pairs[0].FollowUp, pairs[0].Standalone));
            Assert.Equal(("尤金袋鼠吃什么？", "它属于它科吗？"), (pairs[1].Previous, pairs[1].FollowUp));
            Assert.Equal(("松平康忠出生于哪一年？", "他侍奉谁？", "松平康忠"), (pairs[2].Previous, pairs[2].FollowUp, pairs[2].Subject));
            Assert.Equal(["德川家康"], pairs[2].Answers);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
