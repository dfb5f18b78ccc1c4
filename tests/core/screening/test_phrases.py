"""The phrase trie behind the lexicon, scene and foreign matchers: leftmost-longest matching."""

from workbench.core.screening.phrases import PhraseIndex


def test_longest_phrase_wins_at_a_position():
    index = PhraseIndex({("killer",): 1, ("killer", "whale"): 2, ("killer", "whale", "calf"): 3})
    words = "a killer whale swims".split()
    assert index.longest(words, 1) == (2, 2)
    assert index.longest(words, 0) is None


def test_a_prefix_without_its_own_value_is_no_match():
    index = PhraseIndex({("in", "the", "style", "of"): "credit"})
    assert index.longest("in the style".split(), 0) is None
    assert index.longest("in the style of".split(), 0) == (4, "credit")


def test_scan_is_left_to_right_and_matches_do_not_overlap():
    index = PhraseIndex({("blood",): "b", ("blood", "orange"): "fruit", ("orange", "juice"): "drink"})
    assert index.scan("blood orange juice and blood".split()) == [(0, 2, "fruit"), (4, 5, "b")]


def test_a_phrase_at_the_very_end_of_the_text_is_found():
    index = PhraseIndex({("baby", "oil"): 1})
    assert index.scan("some baby oil".split()) == [(1, 3, 1)]
    assert index.scan("some baby".split()) == []


def test_empty_index_matches_nothing():
    index: PhraseIndex[int] = PhraseIndex({})
    assert not index
    assert index.scan(["anything"]) == []
