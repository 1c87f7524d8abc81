// @ts-check
// Nested function classes: insert an identity block (or a zeroed plain one) at the end of a stage
// of the network in memory and compare the test predictions before and after; Restore brings back
// the network from before the first insertion. The worker answers both with a `model` event, which
// the page puts in the store (and asks the demos to recompute). Keep training is the run's
// controller's; only its disabled state is drawn here.

import { demoReady, isActive } from '../../core/page-state.js';
import { zooKind, zooName } from '../../core/models.js';
import { insertingText, insertionElements, renderStages, resetInsertionDisplay, showInsertion, zooNestedText } from './view.js';

/**
 * @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore
 * @typedef {import('../../core/page-state.js').PageState} PageState
 * @typedef {Pick<import('../../app/connection.js').Connection, 'call'>} Calls
 * @typedef {Error & {busy?: boolean, replaced?: boolean}} CallError
 * @typedef {import('./view.js').InsertionUi} InsertionUi
 */

/** The buttons (Keep training's click is the run's), and the note when there is no stage. @param {InsertionUi} ui @param {PageState} s @param {boolean} inserting */
function renderControls(ui, s, inserting) {
  const ready = demoReady(s);
  // A chapter-7 network in memory has no stage to insert a block into.
  const zoo = Boolean(s.memoryNet?.zoo);
  ui.insertIdentity.disabled = !ready || zoo || inserting;
  ui.insertPlain.disabled = !ready || zoo || inserting;
  ui.stage.disabled = zoo;
  ui.keepTraining.disabled = !ready || !s.wasm;
  ui.restore.disabled = !ready || !((s.memory?.inserted.length ?? 0) > 0);
  ui.zoo.hidden = !zoo;
  if (zoo && s.memory) ui.zoo.textContent = zooNestedText(zooName(s.models, s.memory.config) ?? zooKind(s.memory.config) ?? '');
}

/** The stage picker; the store's stage follows when it was past the last stage. @param {InsertionUi} ui @param {PageStore} store */
function drawStages(ui, store) {
  const s = store.get();
  const stage = renderStages(ui.stage, s.memoryNet?.stages ?? null, s.stage);
  if (s.memoryNet?.stages && stage !== s.stage) store.set({ stage });
}

/**
 * Its buttons' actions are also commands (the lesson's), which do what a press does.
 * @param {{store: PageStore, connection: Calls, commands: import('../../core/commands.js').Commands}} deps
 */
export function initInsertion({ store, connection, commands }) {
  const ui = insertionElements();
  let inserting = false;
  let wasActive = isActive(store.get());

  async function insertBlock(/** @type {'identity' | 'plain'} */ insertion) {
    const s = store.get();
    if (!demoReady(s) || inserting) return;
    const stage = Number(ui.stage.value);
    ui.result.dataset.state = 'loading';
    ui.message.textContent = insertingText(insertion, s.memoryNet?.stages?.[stage]?.label);
    inserting = true;
    renderControls(ui, store.get(), inserting);
    try {
      const check = await connection.call('insert', { insertion, stage });
      showInsertion(ui, insertion, check);
      ui.message.textContent = 'Press Restore to go back to the original network, or Keep training to train the bigger one.';
    } catch (e) {
      const err = /** @type {CallError} */ (e);
      ui.result.dataset.state = 'error';
      if (!err.replaced) ui.message.textContent = err.busy ? err.message : `The block could not be inserted: ${err.message}`;
    } finally {
      inserting = false;
      renderControls(ui, store.get(), inserting);
    }
  }

  async function restoreNetwork() {
    if (!demoReady(store.get())) return;
    try {
      await connection.call('restore');
      ui.message.textContent = 'Restored the network from before the first insertion.';
      resetInsertionDisplay(ui);
    } catch (e) {
      const err = /** @type {CallError} */ (e);
      if (!err.replaced) ui.message.textContent = err.busy ? err.message : `Restore failed: ${err.message}`;
    }
  }

  /** A run started: the insertion shown was of the network it replaces. */
  function onRunState(/** @type {PageState} */ s) {
    const active = isActive(s);
    if (active && !wasActive) {
      resetInsertionDisplay(ui);
      ui.message.textContent = '';
    }
    wasActive = active;
  }

  /** Another network in memory: a chapter-7 one has no insertion to show. */
  function onMemory(/** @type {PageState} */ s) {
    if (s.memoryNet?.zoo && !s.training) resetInsertionDisplay(ui);
  }

  store.subscribe(['memoryNet', 'stage'], () => drawStages(ui, store));
  store.subscribe(['opened', 'memory', 'memoryNet', 'runState', 'wasm', 'models'], (s) => renderControls(ui, s, inserting));
  store.subscribe(['runState'], onRunState);
  store.subscribe(['memory'], onMemory);
  // A network loaded (shipped, saved, uploaded), restored or trained: the insertion shown is gone.
  store.subscribe(['source'], () => resetInsertionDisplay(ui));

  ui.stage.addEventListener('change', () => store.set({ stage: Number(ui.stage.value) }));
  /** @param {HTMLButtonElement} button @param {() => Promise<void>} action */
  const press = (button, action) => {
    const fn = () => void (!button.disabled && action());
    button.addEventListener('click', fn);
    return fn;
  };
  commands.register('insertIdentity', press(ui.insertIdentity, () => insertBlock('identity')));
  commands.register('insertPlain', press(ui.insertPlain, () => insertBlock('plain')));
  commands.register('restore', press(ui.restore, () => restoreNetwork()));

  drawStages(ui, store);
  renderControls(ui, store.get(), inserting);
}
