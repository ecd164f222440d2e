"""The validation split of list data: carved from the training list, per class and seeded.

The best epoch is chosen on it, so the test list is looked at once, at the end, and the
reported test figure is not the maximum over epochs of a noisy test curve. Each class
is sorted, shuffled with a generator seeded by ``(seed, label)`` and its first
``round(n * fraction)`` items (at least one when the class has two or more, never all)
go to validation: the same list and seed always give the same split.
"""
import math
import random
from typing import Dict, List, Sequence, Tuple

from .listfile import Item


def _val_count(n: int, fraction: float) -> int:
    if fraction <= 0 or n < 2:
        return 0
    count = math.floor(n * fraction + 0.5 + 1e-9)  # half up despite float noise
    return min(max(count, 1), n - 1)


def carve_validation(items: Sequence[Item], fraction: float, seed: int) -> Tuple[List[Item], List[Item]]:
    """``(train items, validation items)``, both in the training list's order."""
    by_class: Dict[int, List[Item]] = {}
    for item in items:
        by_class.setdefault(item[1], []).append(item)
    chosen = set()
    for label, members in by_class.items():
        order = sorted(members)
        random.Random(f"{seed}:val:{label}").shuffle(order)
        chosen.update(order[:_val_count(len(order), fraction)])
    return [i for i in items if i not in chosen], [i for i in items if i in chosen]
