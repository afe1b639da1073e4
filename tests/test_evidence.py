"""eventclf.evidence: sentences of every script, and the span each predicted type is credited to."""
import pytest

from eventclf import ConfigError, EventClassifier
from eventclf.evidence import _pick, sentence_spans


def _sentences(text, lang="en"):
    return [text[s:e] for s, e in sentence_spans(text, lang)]


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "Gen. Ali met U.S. envoys on Monday. A car bomb exploded in Azaz.",
     ["Gen. Ali met U.S. envoys on Monday.", "A car bomb exploded in Azaz."]),
    ("fr", "M. Dupont a parlé. Le gén. Leroy aussi. Une voiture piégée a explosé.",
     ["M. Dupont a parlé.", "Le gén. Leroy aussi.", "Une voiture piégée a explosé."]),
    ("ar", "قال مصدر أمني إن سيارة مفخخة انفجرت. قتل أربعة أشخاص؟ نعم.",
     ["قال مصدر أمني إن سيارة مفخخة انفجرت.", "قتل أربعة أشخاص؟", "نعم."]),
    ("fa", "انفجار در حلب رخ داد. چهار نفر کشته شدند؟", ["انفجار در حلب رخ داد.", "چهار نفر کشته شدند؟"]),
    ("ur", "باجوڑ میں دھماکہ ہوا۔ چار افراد ہلاک ہو گئے۔", ["باجوڑ میں دھماکہ ہوا۔", "چار افراد ہلاک ہو گئے۔"]),
    ("ckb", "تەقینەوەیەک لە هەولێر ڕوویدا. چوار کەس کوژران.", ["تەقینەوەیەک لە هەولێر ڕوویدا.", "چوار کەس کوژران."]),
    ("ru", "Ген. Иванов: в г. Алеппо прогремел взрыв. Погибли четверо.",
     ["Ген. Иванов: в г. Алеппо прогремел взрыв.", "Погибли четверо."]),
    ("tr", "Dr. Yılmaz açıklama yaptı. Patlamada 4 kişi öldü.", ["Dr. Yılmaz açıklama yaptı.", "Patlamada 4 kişi öldü."]),
    ("en", "Scholars issue fatwa against the group\nThe ruling bars members", ["Scholars issue fatwa against the group",
                                                                           "The ruling bars members"]),
])
def test_sentences_of_every_script_keep_abbreviations_whole(lang, text, expected):
    assert _sentences(text, lang) == expected


def test_offsets_point_into_the_text_and_blank_text_has_none():
    text = "  \U0001f4a5 A blast hit Azaz.  \n\n Four died.  "
    assert [text[s:e] for s, e in sentence_spans(text)] == ["\U0001f4a5 A blast hit Azaz.", "Four died."]
    assert sentence_spans(" \n\t ") == []


def test_a_sentence_that_reaches_the_threshold_beats_a_higher_pair():
    # (score, start, end, is_pair)
    scored = [(0.3, 0, 10, False), (0.6, 11, 20, False), (0.9, 0, 20, True)]
    assert _pick(scored, threshold=0.5) == (0.6, 11, 20)
    assert _pick(scored, threshold=0.7) == (0.9, 0, 20)  # no sentence reaches it: the pair does
    assert _pick(scored, threshold=0.95) == (0.9, 0, 20)  # nothing does: the best of all


@pytest.fixture(scope="module")
def clf(trained_model):
    return EventClassifier.from_pretrained(trained_model, device="cpu")


def test_each_label_gets_the_sentence_that_carries_it(clf):
    text = "officials said on monday in the town. a blast and an explosion hit the road. the scholars issued a fatwa ruling."
    pred = clf.predict([text], threshold=0.5, evidence=True)[0]
    assert set(pred.evidence) == set(pred.labels) and {"bombing", "fatwa"} <= set(pred.labels)
    assert pred.evidence["bombing"].text == "a blast and an explosion hit the road."
    assert pred.evidence["fatwa"].text == "the scholars issued a fatwa ruling."
    for name, span in pred.evidence.items():  # the score is the type's probability on the span read alone
        assert text[span.start:span.end] == span.text
        assert span.score == pytest.approx(clf.predict_proba([span.text])[0][clf.labels.index(name)], abs=1e-5)


def test_evidence_is_off_by_default_and_empty_without_labels(clf):
    plain, blank = clf.predict(["a blast hit the road", "   "], evidence=False), clf.predict(["  "], evidence=True)
    assert plain[0].evidence == {} and blank[0].evidence == {}
    with pytest.raises(ConfigError, match="2 languages for 1 texts"):
        clf.predict(["a blast"], evidence=True, lang=["en", "ar"])
