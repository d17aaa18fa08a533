/**
 * A small least-recently-used map: forms recalculate the same few
 * expressions over and over, so compiled ones are kept, but a task or
 * contact summary building expressions from data cannot grow it forever.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get(key: string, make: (key: string) => V): V {
    if (this.map.has(key)) {
      const hit = this.map.get(key) as V;
      this.map.delete(key); // re-insert: Map order is the recency order
      this.map.set(key, hit);
      return hit;
    }
    const made = make(key);
    this.map.set(key, made);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
    return made;
  }

  get size(): number {
    return this.map.size;
  }
}
