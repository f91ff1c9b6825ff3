/**
 * Coalesces concurrent point reads: the keys asked for in one event-loop turn are read by one
 * statement on the next (16 SMTP sessions judging recipients at once cost one round trip, not
 * 16). A read answers from a statement sent after it was asked, so it is never staler than a
 * read of its own. Not here: SQL (the store's `read` does that); writes (`batch.ts`).
 */

interface Waiting<V> {
  resolve: (v: V) => void;
  reject: (e: unknown) => void;
}

export class ReadBatcher<V> {
  private waiting = new Map<string, Waiting<V>[]>();
  private scheduled = false;

  /**
   * @param read answers every key it was given (a missing key reads as `missing`).
   * @param maxKeys keys per statement; more are split over several.
   */
  constructor(
    private readonly read: (keys: string[]) => Promise<Map<string, V>>,
    private readonly missing: V,
    private readonly maxKeys = 256,
  ) {}

  get(key: string): Promise<V> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(key);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = [...this.waiting];
    this.waiting = new Map();
    for (let from = 0; from < all.length; from += this.maxKeys) {
      const part = all.slice(from, from + this.maxKeys);
      this.read(part.map(([k]) => k)).then(
        (found) => {
          for (const [k, ws] of part) for (const w of ws) w.resolve(found.get(k) ?? this.missing);
        },
        (err: unknown) => {
          for (const [, ws] of part) for (const w of ws) w.reject(err);
        },
      );
    }
  }
}
