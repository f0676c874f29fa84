"""An exact batch total split over the batch's requests: parts sum to the total, follow the estimates."""

from __future__ import annotations

import pytest

from meshscope.storage.writer import _share


@pytest.mark.parametrize("total, estimates, expected", [
    (None, [3, 4], [3, 4]),  # no exact total: the estimates
    (10, [5, 5], [5, 5]),
    (7, [1, 1, 1], [3, 2, 2]),  # remainders to the first of equals
    (61, [12, 2], [52, 9]),
    (0, [4, 4], [0, 0]),  # a batch of series with no samples
    (5, [0, 0], [0, 0]),  # no weights to split by
])
def test_share(total: int | None, estimates: list[int], expected: list[int]) -> None:
    assert _share(total, estimates) == expected


def test_parts_always_sum_to_the_total() -> None:
    for total in range(0, 200, 7):
        for estimates in ([1], [3, 9, 1], [100, 1, 1, 1], [2500] * 4):
            assert sum(_share(total, estimates)) == total
