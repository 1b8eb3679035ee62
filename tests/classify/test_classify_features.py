"""Features and evidence: every span points at the text it names, in the original draft."""

from __future__ import annotations

import numpy as np

from screener.classify.evidence import top_evidence
from screener.classify.features import PATTERNS, extract
from screener.classify.model import idf_from_df, tfidf
from screener.model import Draft


def features_of(resources, draft: Draft):
    fields = [(name, resources.normalizer(draft.text_of(name))) for name in ("title", "body")
              if draft.text_of(name)]
    return extract(fields, resources.matcher)


def test_patterns_found_through_spacing_and_width(resources):
    draft = Draft(title="", body="报名请加 V我：kaoyan_2024，电话 139 1234 5678，学费￥２９９，"
                                 "邮箱 a.b@pku.edu.cn")
    found = features_of(resources, draft).found
    text = draft.body
    assert [text[s:e] for _, s, e in found["<mobile>"]] == ["139 1234 5678"]
    assert [text[s:e] for _, s, e in found["<wechat_id>"]] == ["V我：kaoyan_2024"]
    assert [text[s:e] for _, s, e in found["<price>"]] == ["￥２９９"]
    assert "<email>" in found


def test_lexicon_hits_are_features(resources):
    found = features_of(resources, Draft(title="", body="有意者私聊，加 微 信 详谈")).found
    assert "<lexicon:commercial>" in found


def test_ngram_spans_map_to_original_offsets(resources):
    draft = Draft(title="限时 特价", body="全场　五折，扫 码 下 单！")
    features = features_of(resources, draft)
    spans = features.locate("扫码")
    assert spans and all(draft.text_of(f)[s:e].replace(" ", "") == "扫码" for f, s, e in spans)
    assert features.locate("时特")[0][0] == "title"


def test_evidence_spans_point_into_the_text(resources, shipped_model):
    draft = Draft(title="【福利】考研资料大礼包",
                  body="需要的同学 V 我领取！原价 199 元，今天只要 9.9 元，扫码进群，"
                       "微信号：xy_2024a，手机 13912345678。名额有限，先到先得。")
    features = features_of(resources, draft)
    score = shipped_model.score(features.counts)["commercial"]
    evidence = top_evidence(score, features, shipped_model.features)
    assert evidence and evidence[0].weight >= evidence[-1].weight > 0
    for item in evidence:
        assert item.spans
        for field, start, end in item.spans:
            original = draft.text_of(field)
            assert 0 <= start < end <= len(original)
            piece = original[start:end]
            if item.feature.startswith("<lexicon:"):
                continue
            if item.feature in PATTERNS:
                assert PATTERNS[item.feature].search(resources.normalizer(piece).literal.text)
            else:
                folded = resources.normalizer(piece).skeleton.text
                assert "".join("0" if c.isdigit() else c for c in folded) == item.feature


def test_contributions_sum_to_the_score(resources, shipped_model):
    features = features_of(resources, Draft(title="讣告", body="我院退休教授因病医治无效逝世。"))
    for score in shipped_model.score(features.counts).values():
        assert np.isclose(score.intercept + score.contribution.sum(), score.decision)


def test_tfidf_matches_scikit_learn():
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = np.array([[3, 0, 1, 0], [0, 2, 0, 1], [1, 1, 1, 5]], dtype=np.float64)
    expected = TfidfTransformer(sublinear_tf=True).fit_transform(csr_matrix(counts)).toarray()
    features = ["a", "b", "c", "d"]
    vocabulary = {f: i for i, f in enumerate(features)}
    idf = idf_from_df((counts > 0).sum(axis=0).astype(np.float64), len(counts))
    for row, want in zip(counts, expected, strict=True):
        index, values = tfidf({f: int(c) for f, c in zip(features, row, strict=True) if c},
                              vocabulary, idf)
        got = np.zeros(len(features))
        got[index] = values
        assert np.allclose(got, want)
