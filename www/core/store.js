// @ts-check
// The page's one store: plain data, changed only through `set`, which tells the subscribers of
// the keys that changed (features render from it; nobody re-renders a neighbour by hand). A
// feature whose state is a world of its own (the lab's race) works on a `slice`: one key of the
// page's store, with the same get / set / subscribe.

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
    const now = this.get();
    /** @type {Set<string>} */
    const changed = new Set();
    for (const [key, value] of Object.entries(patch)) {
      if (!Object.is(now[key], value)) changed.add(key);
    }
    if (changed.size === 0) return;
    this.replace({ ...now, ...patch });
    // Each subscriber gets the state as it is when called: one called before may have set more.
    for (const l of [...this.listeners]) {
      if (!l.keys || [...changed].some((k) => l.keys?.has(k))) l.fn(/** @type {S} */ (this.get()), changed);
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

  /** Where `set` puts the new state. @protected @param {S} state */
  replace(state) {
    this.state = state;
  }

  /**
   * Key `key` of this store as a store of its own, starting from `initial`: its state lives
   * here (a `set` on it is a `set` of `key` here), and its subscribers hear of its own keys.
   * @template {Record<string, any>} T
   * @param {keyof S & string} key @param {T} initial
   * @returns {Store<T>}
   */
  slice(key, initial) {
    return new Slice(this, key, initial);
  }
}

/**
 * @template {Record<string, any>} T
 * @extends {Store<T>}
 */
class Slice extends Store {
  /** @param {Store<any>} parent @param {string} key @param {T} initial */
  constructor(parent, key, initial) {
    super(initial);
    this.parent = parent;
    this.key = key;
    parent.set({ [key]: this.state });
  }

  /** @returns {Readonly<T>} */
  get() {
    return this.parent.get()[this.key];
  }

  /** @param {T} state */
  replace(state) {
    this.parent.set({ [this.key]: state });
  }
}
