// @ts-check
// The networks kept in this browser, under "Network in memory": the shipped pretrained network
// first (never stored, never overwritten), then one entry per trained run, each with Load,
// Rename and Delete. Rendered from plain data; the actions go to the worker (./controller.js).

import { cleanName, entryDetails } from '../../core/networks.js';

/**
 * @typedef {import('../../core/networks.js').SavedEntry} SavedEntry
 * @typedef {{entries: SavedEntry[], current: number | null, shippedInMemory: boolean, busy: boolean}} SavedState
 *   current: the entry in memory, if any; busy: a run or a demo is going (the buttons wait)
 * @typedef {{load(id: number | null): void, rename(id: number, name: string): void, remove(id: number): void}} SavedActions
 *   load(null) loads the shipped network
 */

/** @param {string} text @param {string} className @param {() => void} onClick @param {boolean} disabled */
function button(text, className, onClick, disabled) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `link-button ${className}`;
  b.textContent = text;
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

/** @param {string} name @param {string} details @param {boolean} inMemory */
function row(name, details, inMemory) {
  const li = document.createElement('li');
  li.dataset.current = String(inMemory);
  const title = document.createElement('span');
  title.className = 'saved-name';
  title.textContent = name + (inMemory ? ' (in memory)' : '');
  const line = document.createElement('span');
  line.className = 'saved-details';
  line.textContent = details;
  li.append(title, line);
  return li;
}

/** Swaps an entry's name for a text field; Enter or Save renames, Escape cancels. */
function editName(/** @type {HTMLLIElement} */ li, /** @type {SavedEntry} */ entry, /** @type {SavedActions} */ actions) {
  const input = document.createElement('input');
  input.type = 'text';
  input.value = entry.name;
  input.maxLength = 80;
  input.setAttribute('aria-label', `New name for ${entry.name}`);
  const save = () => {
    const name = cleanName(input.value);
    if (name) actions.rename(entry.id, name);
    else input.setAttribute('aria-invalid', 'true');
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') save();
    if (e.key === 'Escape') li.querySelector('.saved-edit')?.replaceWith(li.querySelector('.saved-name') ?? '');
  });
  const form = document.createElement('span');
  form.className = 'saved-edit';
  form.append(input, button('Save', 'save', save, false));
  li.querySelector('.saved-name')?.replaceWith(form);
  input.focus();
}

/**
 * Renders the list into `list` (a <ul>); `list.dataset.count` is the number of kept entries.
 * @param {HTMLElement} list @param {SavedState} state @param {SavedActions} actions
 */
export function renderSavedNetworks(list, state, actions) {
  const shipped = row('Shipped pretrained network', 'the fast preset trained natively; always here', state.shippedInMemory);
  shipped.dataset.id = 'shipped';
  shipped.append(button('Load', 'load', () => actions.load(null), state.busy || state.shippedInMemory));
  const rows = state.entries.map((entry) => {
    const inMemory = entry.id === state.current;
    const li = row(entry.name, entryDetails(entry), inMemory);
    li.dataset.id = String(entry.id);
    li.title = entry.note;
    li.append(
      button('Load', 'load', () => actions.load(entry.id), state.busy || inMemory),
      button('Rename', 'rename', () => editName(li, entry, actions), state.busy),
      button('Delete', 'delete', () => actions.remove(entry.id), state.busy),
    );
    return li;
  });
  list.replaceChildren(shipped, ...rows);
  list.dataset.count = String(state.entries.length);
}
