/** Consecutive items of a list: where they start and how many. */
export interface ItemSlice {
  offset: number;
  count: number;
}

/**
 * Cuts `count` items into consecutive slices of at most `maxCount` items and `budget` in size together, as each
 * slice of a map's items goes through one history (a batch child's input, the activity that evaluates them).
 * `sizeOf(i)` is item i's size; an item larger than `budget` alone gets a slice of its own. Pure: the workflow
 * slices the lists it holds by it, and an activity the lists stored as blobs.
 */
export function sliceBySize(count: number, sizeOf: (index: number) => number, maxCount: number, budget: number): ItemSlice[] {
  const slices: ItemSlice[] = [];
  let size = 0;
  for (let i = 0; i < count; i++) {
    const itemSize = sizeOf(i);
    const last = slices.at(-1);
    if (last && last.count < maxCount && size + itemSize <= budget) {
      last.count++;
      size += itemSize;
    } else {
      slices.push({ offset: i, count: 1 });
      size = itemSize;
    }
  }
  return slices;
}
