/**
 * A memo of what a pure function made of a key (a parsed expression, a plan), kept below `limit` entries by
 * starting afresh when full. Workers share these memos between all the workflows they run, so they must not
 * grow with every template a long-lived worker has seen; forgetting costs only a recomputation.
 */
export function memo<V>(limit: number, make: (key: string) => V): (key: string) => V {
  const made = new Map<string, V>();
  return (key) => {
    if (made.has(key)) return made.get(key)!;
    const value = make(key);
    if (made.size >= limit) made.clear();
    made.set(key, value);
    return value;
  };
}
