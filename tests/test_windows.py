from nlp.windows import split_windows


def by_chars(texts):
    return [len(t) for t in texts]


def test_sentences_group_into_windows_with_the_headline_repeated():
    text = "标题\n第一句话很长。第二句！Third sentence? Fourth one."
    windows = split_windows(text, by_chars, max_tokens=12)
    assert [w.sentences for w in windows] == [
        ("标题", "第一句话很长。"),
        ("第二句！",),
        ("Third sentence?",),
        ("Fourth one.",),
    ]
    assert windows[1].text.startswith("标题 ")
    for w in windows:
        assert [w.text[a:b] for a, b in w.spans] == list(w.sentences)


def test_window_cap_and_empty_text():
    windows = split_windows("Short one. " * 5000, by_chars, max_tokens=30, max_windows=7)
    assert len(windows) == 7
    assert split_windows("  \n ", by_chars) == []
