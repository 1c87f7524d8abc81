// @ts-check
// "Your own picture": a drawing or an upload made into the network's 28x28 input here
// (core/picture.js), classified by the network in memory in the worker (live while drawing: at
// most one request in flight, the latest picture next), then what the network sees: the maps
// after each stage and the identity check of the selected block on the picture. Classified
// again whenever the network in memory changes (an inserted identity block changes nothing).
// The result is the store's `picture`.

import { networkInput } from '../../core/picture.js';
import { demoReady, isActive, selectedBlock } from '../../core/page-state.js';
import { canvasGrey, decodeImage, imageGrey } from './image.js';
import { clearBoard, drawOnBoard, pictureElements, showInput, showOriginal, showProbabilities, showStageMaps } from './view.js';

/**
 * @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore
 * @typedef {import('../../app/connection.js').Connection} Connection
 * @typedef {import('./image.js').Grey} Grey
 */

const MAP_CHANNELS = 4;

/** @param {{store: PageStore, connection: Connection}} deps */
export function initPicture({ store, connection }) {
  const section = document.getElementById('picture');
  if (!section) return;
  const ui = pictureElements(section);
  clearBoard(ui.board);
  /** @type {Grey | null} where the picture comes from: an upload's pixels, else the board's */
  let upload = null;
  let drawn = false;
  let busy = false;
  /** @type {{maps: boolean} | null} a request that came while one was in flight: the latest picture goes next */
  let again = null;
  const say = (/** @type {string} */ text, error = false) => {
    ui.message.textContent = text;
    ui.message.classList.toggle('error', error);
    ui.message.dataset.said = String(Number(ui.message.dataset.said ?? 0) + 1); // each answer, for the tests
  };

  /** Makes the picture the network's input and asks the worker (`maps`: the stage maps too). */
  async function classify(maps = true) {
    if (!upload && !drawn) return;
    if (busy) return void (again = { maps: maps || Boolean(again?.maps) });
    let input;
    try {
      const { grey, width, height } = upload ?? canvasGrey(ui.board);
      input = networkInput(grey, width, height);
    } catch (e) {
      return say(/** @type {Error} */ (e).message, true);
    }
    showInput(ui.small, input.pixels);
    // The worker refuses demos during a run; the run's end changes the network in memory, which
    // brings the picture back here.
    if (isActive(store.get())) return say('Training is running: your picture goes through the network when the run stops.');
    if (!demoReady(store.get())) return say('The network is not loaded yet: the picture is classified as soon as it is.');
    busy = true;
    try {
      const result = await connection.call('classify', { picture: input.pixels });
      const before = store.get().picture;
      store.set({ picture: { pixels: input.pixels, result, memory: store.get().memory } });
      say(resultText(result, input, before, store.get()));
      if (maps) await seeInside(ui, store, connection);
    } catch (e) {
      say(`The picture could not be classified: ${/** @type {Error} */ (e).message}`, true);
    } finally {
      busy = false;
    }
    if (again) {
      const next = again;
      again = null;
      await classify(next.maps);
    }
  }

  drawOnBoard(ui.board, () => Number(ui.brush.value), (done) => {
    upload = null; // drawing over a photo draws on what the board shows
    drawn = true;
    classify(done);
  });
  ui.clear.addEventListener('click', () => {
    clearBoard(ui.board);
    [upload, drawn] = [null, false];
    say('Draw something, or upload a picture.');
  });
  ui.upload.addEventListener('click', () => ui.file.click());
  ui.photo.addEventListener('click', () => ui.camera.click());
  const onFile = async (/** @type {HTMLInputElement} */ input) => {
    const grey = await readFile(ui, input, say);
    if (grey) [upload, drawn] = [grey, false];
    if (grey) classify(true);
  };
  ui.file.addEventListener('change', () => onFile(ui.file));
  ui.camera.addEventListener('change', () => onFile(ui.camera));
  store.subscribe(['picture'], (s) => s.picture && showProbabilities(ui.bars, s.picture.result));
  // Another network in memory (trained, loaded, a block inserted): the same picture through it.
  store.subscribe(['memory'], () => classify(true));
  store.subscribe(['opened'], (s) => s.opened && classify(true));
}

/**
 * What the network sees of the picture: the maps after each stage and the identity check of the
 * selected block (a ResNet in memory only).
 * @param {import('./view.js').PictureUi} ui @param {PageStore} store @param {Connection} connection
 */
async function seeInside(ui, store, connection) {
  const net = store.get().memoryNet;
  if (!net || net.zoo) {
    ui.maps.replaceChildren();
    ui.identity.textContent = '';
    ui.mapsNote.textContent = '(the stage maps and the identity check need a ResNet in memory)';
    return;
  }
  const stages = [];
  for (const stage of net.stages) {
    const last = stage.blocks.at(-1);
    if (!last) continue;
    const maps = await connection.call('featureMaps', { stage: last.stage, block: last.block, mode: 'none', image: null, channels: MAP_CHANNELS });
    stages.push({ label: stage.label, maps });
  }
  showStageMaps(ui.maps, stages);
  ui.mapsNote.textContent = `(the first ${MAP_CHANNELS} channels)`;
  const block = selectedBlock(store.get()) ?? net.blocks.find((/** @type {{projection: boolean, plain: boolean}} */ b) => !b.projection && !b.plain);
  if (!block || block.projection) return void (ui.identity.textContent = '');
  const zeroed = await connection.call('featureMaps', { stage: block.stage, block: block.block, mode: 'branch', image: null, channels: 1 });
  ui.identity.dataset.state = zeroed.max_abs_diff === 0 ? 'zero' : 'done';
  ui.identity.textContent = `Identity demo on your picture: with ${block.label}'s residual branch zeroed, max |out \u2212 in| = ${zeroed.max_abs_diff}${zeroed.max_abs_diff === 0 ? ' exactly: the block passes your picture through unchanged.' : '.'}`;
}

/**
 * The picture chosen in `input`, shown on the board; its grey levels, or null after saying why
 * not (the picture before stays).
 * @param {import('./view.js').PictureUi} ui @param {HTMLInputElement} input @param {(text: string, error?: boolean) => void} say
 * @returns {Promise<Grey | null>}
 */
async function readFile(ui, input, say) {
  const file = input.files?.[0];
  input.value = '';
  if (!file) return null;
  try {
    const image = await decodeImage(file);
    const grey = imageGrey(image);
    showOriginal(ui.board, image);
    image.close();
    return grey;
  } catch (e) {
    say(`${/** @type {Error} */ (e).message} The picture shown before is kept.`, true);
    return null;
  }
}

/**
 * The sentence under the picture: the answer, how the picture was made, and whether the network
 * in memory changed its answer since the last one (an identity block inserted changes nothing).
 * @param {import('../../worker/protocol.js').PictureEvent} result @param {{inverted: boolean, asIs: boolean}} input
 * @param {import('../../core/page-state.js').PageState['picture']} before @param {import('../../core/page-state.js').PageState} s
 */
export function resultText(result, input, before, s) {
  const name = result.class_names[result.predicted];
  const how = input.asIs ? 'taken as it is (already 28\u00d728 on black)' : `${input.inverted ? 'negated (dark on light), ' : ''}trimmed and scaled into 28\u00d728`;
  let text = `The network says: ${name} (${(100 * result.probabilities[result.predicted]).toFixed(1)} %). Your picture was ${how}.`;
  const inserted = (s.memory?.inserted.length ?? 0) - (before?.memory?.inserted.length ?? 0);
  const samePicture = before?.pixels.every((v, i) => v === s.picture?.pixels[i]);
  if (before && samePicture && before.memory !== s.memory && inserted === 1 && s.memory?.inserted.at(-1)?.insertion === 'identity') {
    const same = before.result.probabilities.every((p, i) => p === result.probabilities[i]);
    text += same ? ' An identity block was just inserted: not one probability changed, bit for bit.' : ' An identity block was just inserted, and the probabilities changed.';
  }
  return text;
}
