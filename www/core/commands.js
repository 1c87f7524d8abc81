// @ts-check
// The page's actions that one feature asks of another (the lesson zeroes a branch, the zoo picks
// a model in the training form), by name: the owning feature registers each, so nobody clicks
// another feature's buttons or fires synthetic events at its fields.

/**
 * @typedef {'zeroBranch' | 'zeroConv2' | 'insertIdentity' | 'insertPlain' | 'restore' | 'raceLive' | 'choosePreset'} CommandName
 * @typedef {{register(name: CommandName, fn: (...args: any[]) => unknown): void,
 *   run(name: CommandName, ...args: any[]): unknown}} Commands
 */

/** @returns {Commands} */
export function createCommands() {
  /** @type {Map<CommandName, (...args: any[]) => unknown>} */
  const registry = new Map();
  return {
    register(name, fn) {
      if (registry.has(name)) throw new Error(`the command ${name} has an owner already`);
      registry.set(name, fn);
    },
    run(name, ...args) {
      const fn = registry.get(name);
      if (!fn) throw new Error(`no feature of this page does ${name}`);
      return fn(...args);
    },
  };
}
