"""The unit tree walked in memory (pure)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.rules.org_tree import OrgTree

# 1 province: 2 centre, 3 commune (4 its centre), 5 commune
TREE = OrgTree({1: None, 2: 1, 3: 1, 4: 3, 5: 1},
               names={1: "Tỉnh", 2: "Trung tâm", 3: "Xã A", 4: "Trung tâm xã A", 5: "Xã B"})


def test_ancestors_lineage_and_depth():
    assert TREE.ancestors(4) == (3, 1)
    assert TREE.lineage(4) == (4, 3, 1)
    assert (TREE.depth(1), TREE.depth(4)) == (0, 2)


def test_subtree_is_the_unit_and_everything_below():
    assert TREE.subtree(3) == [3, 4]
    assert sorted(TREE.subtree(1)) == [1, 2, 3, 4, 5]
    assert TREE.subtree(5) == [5]


def test_ordered_is_depth_first_with_siblings_by_name():
    assert TREE.ordered() == [(1, 0), (2, 1), (3, 1), (4, 2), (5, 1)]
    assert TREE.ordered(top=3) == [(3, 0), (4, 1)]


def test_would_cycle_refuses_a_unit_under_itself_or_its_descendant():
    assert TREE.would_cycle(3, 4)
    assert TREE.would_cycle(3, 3)
    assert not TREE.would_cycle(3, 2)
    assert not TREE.would_cycle(4, None)


def test_a_missing_parent_makes_a_root():
    tree = OrgTree({7: 99, 8: 7})
    assert tree.children(None) == (7,)
    assert tree.subtree(7) == [7, 8]


def test_a_cycle_is_reported_not_walked_forever():
    with pytest.raises(ValueError):
        OrgTree({1: 2, 2: 1}).ancestors(1)


@given(st.lists(st.integers(0, 40), min_size=1, max_size=40))
def test_every_unit_lies_in_the_subtree_of_each_of_its_ancestors(parents):
    # unit i+1's parent is a unit before it (or none): always a tree
    parent_of = {i + 1: (p % (i + 1)) or None for i, p in enumerate(parents)}
    tree = OrgTree(parent_of)
    for unit in parent_of:
        for above in tree.ancestors(unit):
            assert unit in tree.subtree(above)
            assert tree.is_within(unit, above)
            assert tree.would_cycle(above, unit)
    assert sorted(u for u, _depth in tree.ordered()) == sorted(parent_of)


def test_ordered_walks_a_tree_deeper_than_the_recursion_limit():
    deep = OrgTree({i: i - 1 if i else None for i in range(5000)})
    ordered = deep.ordered()
    assert ordered[0] == (0, 0) and ordered[-1] == (4999, 4999)


def test_the_analysis_groups_units_by_the_child_of_the_scope_they_lie_under():
    from survey.analysis.grouping import grouping_scope, top_under

    assert [top_under(unit, 1, TREE) for unit in (1, 2, 3, 4, 5)] == [1, 2, 3, 3, 5]
    assert top_under(4, 3, TREE) == 4 and top_under(3, 3, TREE) == 3
    assert top_under(2, 3, TREE) == 1  # outside the scope: its root
    assert grouping_scope(None, TREE) == 1 and grouping_scope(3, TREE) == 3
    assert grouping_scope(None, OrgTree({1: None, 2: None})) is None
