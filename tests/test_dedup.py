from eventclf.dedup import dedup_key, near_duplicate_groups, near_duplicate_pairs


def test_exact_key_ignores_case_spacing_and_punctuation():
    assert dedup_key("Rebels  took the BASE!") == dedup_key("rebels took the base")


def test_same_sentence_with_another_town_or_number_is_a_near_copy():
    texts = ["A car bomb killed 12 people in the market of Azaz on Friday, the civil defence said.",
             "A car bomb killed 7 people in the market of Jarablus on Friday, the civil defence said.",
             "The council of scholars issued a ruling on the sale of looted goods."]
    assert near_duplicate_pairs(texts) == [(0, 1)]
    groups = near_duplicate_groups(texts)
    assert groups[0] == groups[1] != groups[2]


def test_different_paragraphs_on_the_same_place_are_not_near_copies():
    texts = ["Government forces recaptured Saraqib after a night of fighting.",
             "Residents of Saraqib queued for bread as the market reopened after the winter."]
    assert near_duplicate_pairs(texts) == []
