// Shares identical sub-objects between cached objects. Generated policies repeat the same labels,
// annotations, ownerReferences and spec in every namespace; sharing them makes the cache cost a few
// hundred bytes per policy instead of a few kilobytes. Cached objects are never mutated, so sharing is safe.

export class Interner {
  private readonly values = new Map<string, unknown>();

  constructor(private readonly maxEntries = 50_000) {}

  intern<T>(value: T): T {
    if (value === undefined || value === null || typeof value !== 'object') return value;
    const key = JSON.stringify(value);
    const found = this.values.get(key);
    if (found !== undefined) return found as T;
    if (this.values.size >= this.maxEntries) this.values.clear();
    this.values.set(key, value);
    return value;
  }

  string(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const found = this.values.get(`s:${value}`);
    if (found !== undefined) return found as string;
    if (this.values.size >= this.maxEntries) this.values.clear();
    this.values.set(`s:${value}`, value);
    return value;
  }

  get size(): number {
    return this.values.size;
  }
}
