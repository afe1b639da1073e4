"""training/regions.py: one line per conflict in the datasheet's region table, whatever the writer typed."""
import pytest

from training.regions import SEVERAL, theatre


@pytest.mark.parametrize("written", ["DRC", "DR Congo", "Democratic Republic of the Congo"])
def test_spellings_of_one_country_are_one_line(written):
    assert theatre(written) == "DRC"


@pytest.mark.parametrize("written", ["Azerbaijan / Armenia", "Armenia and Azerbaijan", "Armenia/Azerbaijan",
                                     "Nagorno-Karabakh"])
def test_separators_order_and_places_of_one_conflict_are_one_line(written):
    assert theatre(written) == "Armenia/Azerbaijan"


def test_a_sub_region_folds_into_its_country_unless_it_is_a_theatre_of_its_own():
    assert theatre("Ukraine (Kherson region)") == "Ukraine/Russia"
    assert theatre("Iraq (Sinjar)") == "Iraq"
    assert theatre("Russia (Dagestan)") == "North Caucasus"
    assert theatre("Russia") == "Russia"


def test_the_first_place_named_decides_and_lists_of_conflicts_are_several():
    assert theatre("Sudan; Chad") == "Sudan"
    assert theatre("West Bank; Israel") == "Gaza/Israel/Lebanon"
    assert theatre("Multiple (Iraq, Kuwait, Jordan)") == SEVERAL
    assert theatre("Latin America (multiple)") == SEVERAL
    assert theatre("West and Central Africa") == SEVERAL


def test_a_place_in_no_theatre_is_kept_as_written():
    assert theatre("Côte d'Ivoire") == "Côte d'Ivoire"
