// @ts-check
// The page's one store: plain data, changed only through `set`, which tells the subscribers of
// the keys that changed (features render from it; nobody re-renders a neighbour by hand).

/**
 * @template {Record<string, any>} S
 */
export class Store {
  /** @param {S} initial */
  constructor(initial) {
    /** @type {S} */
    this.state = { ...initial };
    /** @type {Set<{keys: Set<string> | null, fn: (state: S, changed: Set<string>) => void}>} */
    this.listeners = new Set();
  }

  /** @returns {Readonly<S>} */
  get() {
    return this.state;
  }

  /**
   * Merges `patch`; subscribers whose keys changed (by identity) are called once, in order.
   * @param {Partial<S>} patch
   */
  set(patch) {
    /** @type {Set<string>} */
    const changed = new Set();
    for (const [key, value] of Object.entries(patch)) {
      if (!Object.is(this.state[key], value)) changed.add(key);
    }
    if (changed.size === 0) return;
    this.state = { ...this.state, ...patch };
    for (const l of [...this.listeners]) {
      if (!l.keys || [...changed].some((k) => l.keys?.has(k))) l.fn(this.state, changed);
    }
  }

  /**
   * Calls `fn` when one of `keys` changes (any key when omitted); returns the unsubscribe.
   * @param {(keyof S & string)[] | null} keys
   * @param {(state: S, changed: Set<string>) => void} fn
   */
  subscribe(keys, fn) {
    const entry = { keys: keys ? new Set(keys) : null, fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }
}
