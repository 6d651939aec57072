"""The evaluation tool: question loading, metrics, resumable runs, summary and report, compare, RGB and CMRC scoring."""
import json
import math
import random
import subprocess
import sys

import pytest

from assistant.records import REFUSED, VERIFIED, Answer, Chunk, Citation, Hit
from eval import cmrc, rgb
from eval.compare import compare
from eval.metrics import char_f1, citation_precision, lcs_length, numbers, numbers_traceable, phrase_coverage, rouge_l
from eval.questions import Question, load_questions
from eval.report import write_report
from eval.run import assistant_system, prepare_out, read_results, run_system
from eval.summary import summarize
from fakes import ScriptedChatModel

# --- question loading -------------------------------------------------------------------------------------

JSONL = "\n".join([
    '{"id": "a1", "question": "生鲜电商有哪些支持？", "evidence": ["拓展生鲜电商"], "must": ["生鲜"], "type": "fact", "extra": 1}',
    '',
    '{"id": "a2", "question": "broken", ',
    '{"id": "a3", "question": "无人配送？", "answerable": false, "reference": "文件未涉及"}',
    '{"id": "a4"}',
    '{"id": "a5", "question": "x", "evidence": "not a list"}',
    '["not", "an", "object"]',
    '{"id": "a1", "question": "again"}',
    '{"id": 9, "question": "数字 id"}',
])


def test_jsonl_questions_unknown_fields_ignored_and_bad_lines_reported(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(JSONL, encoding="utf-8")
    questions, problems = load_questions(path)
    assert [q.id for q in questions] == ["a1", "a3", "9"]
    assert questions[0] == Question("a1", "生鲜电商有哪些支持？", ("拓展生鲜电商",), "", ("生鲜",), True, "fact")
    assert questions[1].answerable is False and questions[1].reference == "文件未涉及"
    assert [p.line for p in problems] == [3, 5, 6, 7, 8]
    assert str(problems[0]).startswith("q.jsonl:3: skipped: not valid JSON")
    assert "duplicate id 'a1' (first on line 1)" in problems[-1].reason


CSV = (
    "id,question,evidence,must,answerable,type,comment\n"
    'c1,生鲜电商？,"[""拓展生鲜电商"", ""线上线下""]",生鲜|电商,true,fact,ignored\n'
    "c2,无人配送？,,,false,unanswerable,\n"
    "c3,too few fields\n"
    'c4,"跨行的\n问题",证据一|证据二,,,multi,\n'
    ",缺少 id,,,,,\n"
    "c6,坏的 answerable,,,maybe,,\n"
    'c7,坏的 evidence,"[""unclosed",,,,\n'
)


def test_csv_questions_json_or_pipe_lists_and_line_numbers(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text(CSV, encoding="utf-8")
    questions, problems = load_questions(path)
    assert [q.id for q in questions] == ["c1", "c2", "c4"]
    assert questions[0].evidence == ("拓展生鲜电商", "线上线下") and questions[0].must == ("生鲜", "电商")
    assert questions[1].answerable is False and questions[1].type == "unanswerable"
    assert questions[2].question == "跨行的\n问题" and questions[2].evidence == ("证据一", "证据二")
    assert [(p.line, p.reason.split(" ")[0]) for p in problems] == [(4, "expected"), (7, "'id'"), (8, "'answerable'"),
                                                                   (9, "'evidence'")]


def test_unknown_question_file_type(tmp_path):
    with pytest.raises(ValueError, match="must be .jsonl or .csv"):
        load_questions(tmp_path / "q.txt")


# --- metrics ----------------------------------------------------------------------------------------------

def test_char_f1_hand_computed():
    # 上海市商务委 vs 市商务委员会: 4 shared characters of 6 each → P = R = F1 = 2/3
    assert char_f1("上海市商务委", "市商务委员会") == pytest.approx(2 / 3)
    assert char_f1("市商务委。", "市 商务委") == 1.0  # punctuation and whitespace do not count
    assert char_f1("", "市商务委") == 0.0


def test_rouge_l_hand_computed():
    # LCS(在线新经济发展, 新经济的发展) = 新经济发展 (5); P = 5/7, R = 5/6 → F = 10/13
    assert rouge_l("在线新经济发展", "新经济的发展") == pytest.approx(10 / 13)
    assert rouge_l("发展经济", "经济发展") == pytest.approx(0.5)  # LCS 2 of 4 each
    assert lcs_length("ABCBDAB", "BDCABA") == 4


def test_numbers_and_traceability():
    assert numbers("补贴５０％，最高1,000万元[2]，2022年") == ["50%", "10000000", "2022"]
    assert numbers("提前三十日，处二百元以上一千元以下罚款，统一办理") == ["30", "200", "1000"]
    assert numbers_traceable("提前30天[1]", ["提前三十日"]) and not numbers_traceable("提前三天[1]", ["提前三十日"])
    assert numbers("见[1][12]") == []
    assert numbers_traceable("补贴50%，最高100万元[1]", ["给予 50% 补贴", "最高不超过100万元"])
    assert not numbers_traceable("补贴30%[1]", ["给予50%补贴"])
    assert numbers_traceable("没有数字[1]", [])


def test_citation_precision_and_coverage():
    assert citation_precision(["……拓展生鲜电商零售业态……", "无关条款"], ["拓展 生鲜电商"]) == 0.5
    assert math.isnan(citation_precision([], ["x"]))
    assert phrase_coverage(["5G", "区块链", "元宇宙"], "人工智能、５Ｇ、区块链") == pytest.approx(2 / 3)
    assert phrase_coverage(["三十日", "二百元"], "应提前30天通知[1]，罚款200元") == 1.0
    assert phrase_coverage(["三十日"], "应提前130天通知") == 0.0


# --- runs: fakes with the real interfaces ---------------------------------------------------------------------

def chunk(i: int, text: str) -> Chunk:
    return Chunk(id=f"c{i}", doc_id="plan", source="plan.txt", title="测试方案", doc_number="", text=text,
                 start=0, end=len(text), path=(f"{i}、条款",))


CHUNKS = [chunk(0, "支持生鲜电商发展，补贴50%。"), chunk(1, "推进无人配送。"), chunk(2, "建设互联网医院。")]
QUESTIONS = [
    Question("q1", "生鲜电商？", ("支持生鲜电商发展",), "支持生鲜电商发展", ("生鲜电商",), True, "fact"),
    Question("q2", "无人配送？", ("推进无人配送",), "", ("无人配送",), True, "fact"),
    Question("q3", "互联网医院？", ("建设互联网医院",), "", ("互联网医院",), True, "number"),
    Question("q4", "元宇宙？", (), "", (), False, "unanswerable"),
    Question("q5", "补贴多少？", ("补贴50%",), "", ("50%",), True, "number"),
]


class FakeRetriever:
    """Puts the chunk named by the question first (q1 → c0, q2 → c1, q3 → c2, others → c2)."""

    def __init__(self, order: dict[str, int]):
        self.order = order

    def search(self, query, k=5, filters=None):
        first = self.order.get(query, 2)
        rows = [first] + [i for i in range(len(CHUNKS)) if i != first]
        return [Hit(CHUNKS[r], 1.0 / (n + 1)) for n, r in enumerate(rows[:k])]


class FakeAssistant:
    """`.ask()` cites the top hit, or refuses; counts its calls; can stop after `fail_after` questions."""

    def __init__(self, order, refuse=(), fail_after=None):
        self.retriever = FakeRetriever(order)
        self.model = None
        self.refuse = set(refuse)
        self.calls = []
        self.fail_after = fail_after

    def ask(self, question, history=None):
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise KeyboardInterrupt
        self.calls.append(question)
        if question in self.refuse:
            return Answer(question, "文件未涉及。", [], True, REFUSED, "fake",
                          timings={"retrieval_ms": 1.0, "sources_ms": 1.0, "first_token_ms": None, "total_ms": 2.0})
        hit = self.retriever.search(question, 1)[0]
        return Answer(question, f"{hit.chunk.text}[1]", [Citation(1, hit.chunk, 0, len(hit.chunk.text))], False,
                      VERIFIED, "fake", timings={"retrieval_ms": 1.0, "sources_ms": 2.0, "first_token_ms": 3.0,
                                                 "total_ms": 4.0})


GOOD = {"生鲜电商？": 0, "无人配送？": 1, "互联网医院？": 2, "补贴多少？": 0}


def test_interrupted_run_resumes_each_id_once(tmp_path):
    path = tmp_path / "results.jsonl"
    first = FakeAssistant(GOOD, fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        run_system(QUESTIONS, assistant_system(first, 5), path, fresh=False)
    assert list(read_results(path)) == ["q1", "q2"]
    with path.open("a", encoding="utf-8") as f:
        f.write('{"id": "q3", "quest')  # a line cut short by the interruption
    second = FakeAssistant(GOOD)
    records = run_system(QUESTIONS, assistant_system(second, 5), path, fresh=False)
    assert second.calls == ["互联网医院？", "元宇宙？", "补贴多少？"]
    ids = [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert ids == ["q1", "q2", "q3", "q4", "q5"] and [r["id"] for r in records] == ids
    third = FakeAssistant(GOOD)
    run_system(QUESTIONS, assistant_system(third, 5), path, fresh=True)
    assert len(third.calls) == 5 and len(path.read_text(encoding="utf-8").splitlines()) == 5


def test_resuming_with_other_settings_is_an_error(tmp_path):
    prepare_out(tmp_path, {"k": 5, "backend": "local"}, fresh=False)
    (tmp_path / "results.jsonl").write_text('{"id": "q1"}\n', encoding="utf-8")
    (tmp_path / "baselines").mkdir()
    prepare_out(tmp_path, {"k": 5, "backend": "local"}, fresh=False)
    with pytest.raises(ValueError, match="backend: 'local' → 'extractive'"):
        prepare_out(tmp_path, {"k": 5, "backend": "extractive"}, fresh=False)
    prepare_out(tmp_path, {"k": 5, "backend": "extractive"}, fresh=True)
    assert not (tmp_path / "baselines").exists()


def test_record_metrics(tmp_path):
    records = run_system(QUESTIONS, assistant_system(FakeAssistant(GOOD, refuse={"元宇宙？"}), 3), tmp_path / "r.jsonl",
                         fresh=False)
    q1, q4, q5 = records[0], records[3], records[4]
    assert q1["span_ranks"] == [1] and q1["recall@1"] == 1.0 and q1["rr"] == 1.0
    # answer characters: 支持生鲜电商发展补贴50 (12; "%", "，", "。" and the mark [1] do not count), reference 8
    assert q1["char_f1"] == pytest.approx(2 * (8 / 12) / (8 / 12 + 1))
    assert q1["citation_precision"] == 1.0 and q1["numbers_traceable"] is True and q1["must_coverage"] == 1.0
    assert q4["recall@5"] is None and q4["must_coverage"] is None and q4["answer"]["refused"] is True
    assert q5["numbers_traceable"] is True and q5["retrieved"][0]["id"] == "c0"


def summary_keys(tmp_path, order, refuse=(), name="run"):
    out = tmp_path / name
    records = run_system(QUESTIONS, assistant_system(FakeAssistant(order, refuse=refuse), 5), out / "results.jsonl",
                         fresh=False)
    summary = summarize(records, {})
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    return out, summary, records


def test_summary_keys_and_values(tmp_path):
    out, summary, records = summary_keys(tmp_path, GOOD, refuse={"元宇宙？"})
    assert list(summary) == ["n", "retrieval", "answers", "by_type"]
    assert summary["n"] == 5
    assert list(summary["retrieval"]) == ["n", "recall@1", "recall@3", "recall@5", "mrr", "latency_ms_p50",
                                          "latency_ms_p95"]
    assert list(summary["answers"]) == [
        "n", "n_answerable", "n_unanswerable", "must_coverage", "char_f1", "rouge_l", "refusal_rate_unanswerable",
        "false_refusal_rate", "declined_unanswerable", "declined_answerable", "citation_precision", "numbers_traceable",
        "n_with_numbers", "outdated_rate", "verified",
        "sources_ms_p50", "sources_ms_p95", "first_token_ms_p50", "first_token_ms_p95", "total_ms_p50", "total_ms_p95"]
    assert summary["answers"]["verified"] == {"refused": 1, "verified": 4}
    assert summary["answers"]["outdated_rate"] is None  # no version question in this set
    assert summary["retrieval"]["recall@5"] == 1.0 and summary["retrieval"]["n"] == 4
    assert summary["answers"]["refusal_rate_unanswerable"] == 1.0 and summary["answers"]["false_refusal_rate"] == 0.0
    assert summary["answers"]["declined_unanswerable"] == 1.0 and summary["answers"]["declined_answerable"] == 0.0
    assert summary["answers"]["total_ms_p50"] == 4.0 and summary["answers"]["first_token_ms_p95"] == 3.0
    assert list(summary["by_type"]) == ["fact", "number", "unanswerable"]
    base = summarize(records, {"bm25": records})
    assert list(base["baselines"]["bm25"]) == ["n", "retrieval", "answers"]


def test_report_has_type_table_and_plots(tmp_path):
    out, summary, records = summary_keys(tmp_path, {**GOOD, "补贴多少？": 2}, refuse={"元宇宙？"})
    write_report(out, "test", summary, records, {}, 5)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "By question type (ours)" in page
    assert "<td>fact</td><td>2</td>" in page and "<td>unanswerable</td><td>1</td>" in page
    assert page.count('src="data:image/png;base64,') == 2
    assert (out / "recall_at_k.png").stat().st_size > 1000 and (out / "report.md").exists()
    assert "q5 — 补贴多少？" in page  # the worst question, with its sources listed


def test_compare_names_improved_and_regressed(tmp_path):
    before, _, _ = summary_keys(tmp_path, {"生鲜电商？": 2, "无人配送？": 1}, name="before")  # q1 and q5 miss
    after, _, _ = summary_keys(tmp_path, {"生鲜电商？": 0, "无人配送？": 2, "补贴多少？": 0}, refuse={"元宇宙？"},
                               name="after")
    text = compare(before, after)
    improved = text.split("## Improved")[1].split("## Regressed")[0]
    regressed = text.split("## Regressed")[1].split("## Mixed")[0]
    assert "| q1 |" in improved and "| q5 |" in improved and "| q4 |" in improved and "now declines" in improved
    assert "| q2 |" in regressed and "must 1.000→0.000" in regressed
    assert "| q3 |" not in text
    assert "| recall@1 | 0.500 | 0.750 | +0.250 |" in text


def test_naive_answer_uses_plain_prompt():
    from eval.baselines import looks_refused, naive_answer

    model = ScriptedChatModel("答案是生鲜电商。")
    text, first = naive_answer(model, "问题？", ["资料一", "资料二"])
    assert text == "答案是生鲜电商。" and isinstance(first, float) and first >= 0.0  # ms to the first piece
    assert naive_answer(ScriptedChatModel(""), "问题？", ["资料一"]) == ("", None)  # nothing streamed: no first piece
    assert model.messages[0][0]["content"].startswith("根据以下资料回答问题") and "资料一\n\n资料二" in model.messages[0][0]["content"]
    assert looks_refused("资料中没有提到这一点") and not looks_refused("答案是生鲜电商")


# --- RGB --------------------------------------------------------------------------------------------------------

ITEM = {"id": 7, "query": "q", "answer": ["x"], "positive": [f"p{i}" for i in range(8)],
        "negative": [f"n{i}" for i in range(8)]}


@pytest.mark.parametrize("noise, negatives", [(0, 0), (0.2, 1), (0.4, 2), (0.6, 3), (0.8, 4), (1.0, 5)])
def test_rgb_noise_sampling_counts(noise, negatives):
    docs = rgb.sample_passages(ITEM, noise, rgb.rng_for(2333, "refine", 7, noise))
    assert len(docs) == 5 and sum(d.startswith("n") for d in docs) == negatives
    assert docs == rgb.sample_passages(ITEM, noise, rgb.rng_for(2333, "refine", 7, noise))  # fixed seed, same passages


def test_rgb_sampling_when_positives_run_short():
    item = {**ITEM, "positive": ["p0", "p1"]}
    docs = rgb.sample_passages(item, 0.0, random.Random(1))
    assert sorted(d[0] for d in docs) == ["n", "n", "n", "p", "p"]
    item = {**ITEM, "positive": [["a0", "a1", "a2"], ["b0", "b1"]]}
    docs = rgb.sample_integration(item, 0.2, random.Random(1))  # 4 positives, both parts present, 1 negative
    assert sorted(d[0] for d in docs) == ["a", "a", "b", "b", "n"]
    assert rgb.sample_fact({"positive_wrong": ["w0", "w1", "w2"]}, random.Random(1)).__len__() == 3


def test_rgb_scoring_with_aliases():
    answer = [["洛杉矶湖人", "湖人队"], "2020"]
    assert rgb.is_correct("2020 年总冠军是湖人队", answer)
    assert not rgb.is_correct("总冠军是湖人队", answer)  # every element is needed
    assert rgb.is_correct("NBA Finals MVP: LeBron James", ["LEBRON"])  # case-insensitive
    assert rgb.is_correct("answer 70 seats", "70")  # a bare string answer
    assert not rgb.is_correct("文档信息不足，湖人队 2020", answer) and rgb.is_rejection("文档信息不足，湖人队 2020")


def test_rgb_paper_prompt_and_ours_refusal():
    model = ScriptedChatModel("文档信息不足，因此我无法基于提供的文档回答该问题。")
    out = rgb.paper_predictor(model)("问题", ["d1", "d2"])
    assert rgb.is_rejection(out) and model.messages[0][1]["content"] == "文档：\nd1\nd2 \n\n问题：\n问题"

    class Refusing:
        def over_passages(self, passages):
            return self

        def ask(self, question):
            return Answer(question, "文件未涉及。", [], True, REFUSED, "fake")

    assert rgb.is_rejection(rgb.ours_predictor(Refusing())("问题", ["d1"]))


# --- CMRC -------------------------------------------------------------------------------------------------------

def test_cmrc_official_normalisation_em_f1():
    assert cmrc.remove_punctuation(" 《战国无双3》 ") == "战国无双3"
    assert cmrc.exact_match("《战国无双3》", ["战国无双3", "x"]) == 1.0
    assert cmrc.exact_match("战国无双", ["战国无双3"]) == 0.0
    assert cmrc.mixed_segmentation("光荣和ω-force", rm_punc=True) == ["光", "荣", "和", "ωforce"]
    # 4 shared segments; P = 4/6, R = 4/4 → F1 = 0.8
    assert cmrc.f1("光荣和ω-force开发", ["光荣和ω-force"]) == pytest.approx(0.8)
    assert cmrc.f1("the Beatles", ["Beatles", "披头士"]) == pytest.approx(2 / 3)  # max over references
    # digits form one word segment: [1927, 年] vs [于, 1927, 年, 8, 月] → F1 = 2·2 / (2 + 5)
    assert cmrc.f1("1927年", ["于1927年8月"]) == pytest.approx(4 / 7)
    assert cmrc.longest_common_substring("abcxde", "abde") == 2  # contiguous, unlike ROUGE's LCS
    assert cmrc.clean_span("答案：“光荣和ω-force”。\n解释……") == "光荣和ω-force"


def test_cmrc_hits_and_scores():
    assert cmrc.first_hit(["DEV_1", "DEV_0", "DEV_0"], "DEV_0") == 2
    assert cmrc.first_hit(["DEV_1"], "DEV_0") == 0
    assert cmrc.rank_scores([1, 2, 0, 4]) == {"recall@1": 25.0, "recall@3": 50.0, "recall@5": 75.0,
                                              "mrr": pytest.approx(100 * (1 + 0.5 + 0.25) / 4)}


# --- end to end -------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_retrieval_only_run_end_to_end(tmp_path):
    from conftest import ROOT

    lines = (ROOT / "eval" / "questions" / "seed.jsonl").read_text(encoding="utf-8").splitlines()
    answerable = [line for line in lines if '"answerable": true' in line and '"type": "fact"' in line][:6]
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(answerable) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "eval", "run", "--questions", str(questions), "--retrieval-only",
           "--index", str(tmp_path / "index"), "--out", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary) == ["n", "retrieval", "by_type"] and summary["n"] == 6
    assert list(summary["retrieval"]) == ["n", "recall@1", "recall@3", "recall@5", "mrr", "latency_ms_p50",
                                          "latency_ms_p95"]
    assert summary["retrieval"]["recall@5"] >= 0.8
    assert len((out / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 6
    assert (out / "report.html").exists()
    peak = json.loads((out / "resources.json").read_text(encoding="utf-8"))
    assert peak["system"] == "ours" and 100 < peak["peak_rss_mib"] < 4096  # embedder + index, in MiB
    assert f"peak memory (ours) {peak['peak_rss_mib']} MiB" in done.stdout


def test_recall_and_reciprocal_rank_from_span_ranks():
    from eval.metrics import evidence_recall, reciprocal_rank, rr_from_ranks, span_ranks

    retrieved = ["无关条款", "推出 “100+” 应用场景", "建设 20 个工业互联网平台"]
    evidence = ["建设20个工业互联网平台", "推出“100+”应用场景", "从未出现的片段"]
    assert span_ranks(evidence, retrieved) == [3, 2, 0]
    assert evidence_recall(evidence, retrieved, 2) == pytest.approx(1 / 3)
    assert evidence_recall(evidence, retrieved, 3) == pytest.approx(2 / 3)
    assert reciprocal_rank(evidence, retrieved) == 0.5 and rr_from_ranks([0, 0]) == 0.0
    assert math.isnan(evidence_recall([], retrieved, 5)) and reciprocal_rank([], retrieved) == 0.0


def test_an_answer_stating_the_superseded_rule_is_counted():
    from eval.questions import Question
    from eval.run import answer_fields

    q = Question("r1", "现在公示期多少天？", ("公示期为二十日",), "公示期为二十日。", ("二十日",), docs=("新.md",),
                 outdated=("公示期为四十五日",))
    assert answer_fields(q, "公示期为四十五日。", False, [], [])["outdated"] is True
    assert answer_fields(q, "公示期为二十日。", False, [], [])["outdated"] is False
    plain = Question("q1", "问", ("证据",), "", ("证据",))
    assert answer_fields(plain, "证据", False, [], [])["outdated"] is None


def calibrate(tmp_path, rows: list[str], *extra: str) -> subprocess.CompletedProcess:
    """`python -m eval.calibrate` on these question rows, its index in tmp_path (built once, then reused)."""
    from conftest import ROOT

    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(rows) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "eval.calibrate", "--questions", str(questions), "--index", str(tmp_path / "index"), *extra]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return run


def test_calibrate_reuses_its_index_and_checks_a_given_threshold(tmp_path):
    """A threshold chosen on one set is checked on another without re-embedding (an hour for a library with a
    slower embedder): the second run reuses --index and reports the given threshold."""
    from conftest import ROOT

    lines = (ROOT / "eval" / "questions" / "seed.jsonl").read_text(encoding="utf-8").splitlines()
    picked = [x for x in lines if '"answerable": true' in x][:6] + [x for x in lines if '"answerable": false' in x][:3]
    first = calibrate(tmp_path, picked)
    assert "  answerable: n=6 " in first.stdout and "unanswerable: n=3 " in first.stdout
    chosen = first.stdout.split("threshold = ")[1].split(" ")[0]
    manifest = tmp_path / "index" / "manifest.json"
    stamp = manifest.stat().st_mtime_ns
    second = calibrate(tmp_path, picked, "--threshold", "0.99")
    assert f"chosen here: {chosen}; checking the given one instead" in second.stdout
    assert "threshold = 0.9900 (refuses 6/6 answerable, 3/3 unanswerable by itself)" in second.stdout
    assert "answerable declined 1.000" in second.stdout
    assert manifest.stat().st_mtime_ns == stamp  # nothing re-embedded


def test_calibrate_reads_a_set_without_answerable_questions(tmp_path):
    from conftest import ROOT

    off_topic = (ROOT / "eval" / "questions" / "off-topic-seed.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    run = calibrate(tmp_path, off_topic)
    assert "  answerable: n=0\n" in run.stdout and "unanswerable: n=3 " in run.stdout


def test_a_threshold_is_chosen_only_where_it_refuses_more_unanswerable_than_answerable_questions():
    from eval.calibrate import earned_threshold

    # (answerable, best similarity, declined with no threshold)
    overlapping = [(True, 0.77, False), (True, 0.80, False), (False, 0.81, False), (True, 0.85, False), (False, 0.9, True)]
    assert earned_threshold(overlapping) == 0.0  # under 0.8105 it would refuse 2 answerable for 1 unanswerable
    separated = [(False, 0.60, False), (False, 0.65, False), (True, 0.70, False), (True, 0.80, False)]
    assert earned_threshold(separated) == 0.6505  # both unanswerable refused, no answerable one; the lowest such value
    already = [(False, 0.60, True), (True, 0.70, False)]
    assert earned_threshold(already) == 0.0  # what another rule declines earns a threshold nothing


def test_a_question_refused_or_marked_not_stated_is_declined():
    from eval.summary import declined

    rows = [{"answer": {"refused": True, "verified": "refused"}}, {"answer": {"refused": False, "verified": "not_stated"}},
            {"answer": {"refused": False, "verified": "extractive"}}]
    assert [declined(r) for r in rows] == [True, True, False]


def test_budget_recall_reads_ranked_texts_up_to_a_number_of_characters():
    from eval.metrics import budget_recall

    texts = ["甲" * 6 + "生鲜电商", "冷链物流" + "乙" * 10, "无人工厂"]
    assert budget_recall(["生鲜电商", "冷链物流"], texts, 10) == 0.5  # 10 characters: the first text only
    assert budget_recall(["生鲜电商", "冷链物流"], texts, 14) == 1.0  # and the start of the second
    assert budget_recall(["无人工厂"], texts, 20) == 0.0 and budget_recall(["无人工厂"], texts, 28) == 1.0


def test_the_eligibility_probes_are_read_from_their_test_and_all_hold_here():
    from conftest import ROOT
    from eval.probe_eligibility import probes

    cases = probes()
    assert len(cases) >= 28
    assert cases[0] == ("取得高新技术企业资格", "公司曾是高新技术企业，资格已于2022年到期。", "不满足")
    out = subprocess.run([sys.executable, "-m", "eval.probe_eligibility"], capture_output=True, text=True, cwd=ROOT,
                         timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith(f"{len(cases)} 个探针：0 个不对，其中 0 个错判“满足”")


def test_every_audited_met_quotes_its_document_and_has_a_label():
    from conftest import XIONGAN, require_library
    from assistant.ingest.documents import load_corpus
    from eval.audit_eligibility import AUDIT, LABELS, companies

    docs, _ = load_corpus(require_library(XIONGAN))
    text = {d.doc_id: d.text for d in docs}
    rows = [json.loads(line) for line in AUDIT.read_text(encoding="utf-8").splitlines()]
    ids = {cid for cid, *_ in companies()}
    assert len(rows) >= 400
    assert all(r["condition"] in text[r["doc"]] for r in rows)
    assert all(r["label"] in LABELS and r["reason"] and r["company"] in ids for r in rows)


def test_the_audit_counts_each_met_by_its_label_and_those_not_labelled_apart():
    from eval.audit_eligibility import _key, tally

    audit = {_key("e001", "d", "在新区 注册"): {"label": "对"}, _key("e002", "d", "无违法记录"): {"label": "错"}}
    said = {_key("e001", "d", "在新区注册"), _key("e002", "d", "无违法记录"), _key("e003", "d", "有研发机构")}
    assert tally(said, audit) == {"满足": 3, "对": 1, "错": 1, "不确定": 0, "未标注": 1, "对的比例": 0.5}


@pytest.mark.slow
def test_every_met_the_check_reads_from_a_companys_words_is_audited():
    from conftest import XIONGAN, require_library
    from eval.audit_eligibility import load_audit, met_from_words, tally
    from eval.bench_eligibility import library_documents

    figures = tally(met_from_words(library_documents(require_library(XIONGAN))), load_audit())
    assert figures["未标注"] == 0  # a new 满足 is labelled in eval/questions/xiongan-met-audit.jsonl before it lands
    assert (figures["对"], figures["错"], figures["不确定"]) == (313, 52, 10)  # docs/results.md, 第七轮
