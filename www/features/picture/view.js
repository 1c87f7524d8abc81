// @ts-check
// The DOM of "Your own picture": a drawing board (mouse, touch, pen), an upload and a camera
// button, the 28x28 image the network gets next to the original, the class probabilities as
// bars, and what the network sees (the maps after each stage, the identity check on the picture).

import { renderFeatureMaps } from '../../dom/feature-maps.js';
import { span } from '../../dom/elements.js';
import { SIDE } from '../../core/picture.js';

/** The drawing board's resolution in pixels (shown at the panel's width). */
export const BOARD = 280;

const MARKUP = `
  <h2 id="picture-title">Your own picture through the network</h2>
  <p class="explain">Draw a piece of clothing, or upload a photo of your own shirt or shoe. It is made into what the network
    takes the way Fashion-MNIST's images were made: grey, a light object on black, trimmed, its longest edge scaled to 28 pixels,
    centred. Compare the two pictures before trusting the answer.</p>
  <div class="picture-grid">
    <div class="picture-input">
      <canvas id="picture-board" class="picture-board" width="${BOARD}" height="${BOARD}" role="img"
        aria-label="Drawing board: draw with the mouse, a finger or a pen"></canvas>
      <div class="buttons picture-buttons">
        <label class="inline-field">Brush <input id="picture-brush" type="range" min="6" max="40" value="18" aria-label="Brush size"></label>
        <button type="button" id="picture-clear">Clear</button>
        <button type="button" id="picture-upload">Upload a picture</button>
        <button type="button" id="picture-photo" title="On a phone: the camera">Take a photo</button>
        <input id="picture-file" type="file" accept="image/*" hidden>
        <input id="picture-camera" type="file" accept="image/*" capture="environment" hidden>
      </div>
    </div>
    <div class="picture-output">
      <figure class="picture-small"><canvas id="picture-input28" width="${SIDE}" height="${SIDE}" role="img"
        aria-label="What the network gets: 28 by 28 grey pixels"></canvas><figcaption>What the network gets (28&times;28)</figcaption></figure>
      <p id="picture-message" class="demo-message" aria-live="polite">Draw something, or upload a picture.</p>
      <ol id="picture-bars" class="picture-bars" aria-label="Class probabilities"></ol>
    </div>
  </div>
  <h3>What the network sees <span id="picture-maps-note" class="muted"></span></h3>
  <p id="picture-identity" class="identity-explain" data-state="idle"></p>
  <div id="picture-maps" class="fmaps" aria-label="Feature maps after each stage for your picture"></div>`;

/**
 * Builds the section's content; returns its elements.
 * @param {HTMLElement} section
 */
export function pictureElements(section) {
  section.innerHTML = MARKUP; // a constant: nothing from the user goes through innerHTML
  const get = (/** @type {string} */ id) => /** @type {HTMLElement} */ (section.querySelector(`#${id}`));
  return {
    board: /** @type {HTMLCanvasElement} */ (get('picture-board')),
    brush: /** @type {HTMLInputElement} */ (get('picture-brush')),
    clear: /** @type {HTMLButtonElement} */ (get('picture-clear')),
    upload: /** @type {HTMLButtonElement} */ (get('picture-upload')),
    photo: /** @type {HTMLButtonElement} */ (get('picture-photo')),
    file: /** @type {HTMLInputElement} */ (get('picture-file')),
    camera: /** @type {HTMLInputElement} */ (get('picture-camera')),
    small: /** @type {HTMLCanvasElement} */ (get('picture-input28')),
    message: get('picture-message'),
    bars: get('picture-bars'),
    mapsNote: get('picture-maps-note'),
    identity: get('picture-identity'),
    maps: get('picture-maps'),
  };
}

/** @typedef {ReturnType<typeof pictureElements>} PictureUi */

/** The board's 2D context: read back after every stroke, so kept in memory the CPU reads. @param {HTMLCanvasElement} board */
const boardContext = (board) => /** @type {CanvasRenderingContext2D} */ (board.getContext('2d', { willReadFrequently: true }));

/** A black board: Fashion-MNIST's background. @param {HTMLCanvasElement} board */
export function clearBoard(board) {
  const ctx = boardContext(board);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, board.width, board.height);
}

/**
 * Light strokes on the board while a pointer (mouse, finger, pen) is down; `onStroke(done)`
 * after each piece of stroke (`done` once the pointer is lifted).
 * @param {HTMLCanvasElement} board @param {() => number} brush @param {(done: boolean) => void} onStroke
 */
export function drawOnBoard(board, brush, onStroke) {
  const ctx = boardContext(board);
  /** @type {{x: number, y: number} | null} */
  let last = null;
  /** @type {number | null} a pen's pressure as a brush factor (0.5-1.5); null for a mouse or a finger */
  let pressure = null;
  const at = (/** @type {PointerEvent} */ e) => {
    const r = board.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * board.width, y: ((e.clientY - r.top) / r.height) * board.height };
  };
  const line = (/** @type {{x: number, y: number}} */ p) => {
    Object.assign(ctx, { strokeStyle: '#fff', lineWidth: brush() * (pressure ?? 1), lineCap: 'round', lineJoin: 'round' });
    ctx.beginPath();
    ctx.moveTo((last ?? p).x, (last ?? p).y);
    ctx.lineTo(p.x + 0.01, p.y);
    ctx.stroke();
    last = p;
  };
  board.addEventListener('pointerdown', (e) => {
    board.setPointerCapture(e.pointerId);
    pressure = e.pointerType === 'pen' && e.pressure > 0 ? 0.5 + e.pressure : null;
    last = null;
    line(at(e));
    onStroke(false);
  });
  board.addEventListener('pointermove', (e) => {
    if (!board.hasPointerCapture(e.pointerId)) return;
    pressure = e.pointerType === 'pen' && e.pressure > 0 ? 0.5 + e.pressure : null;
    line(at(e));
    onStroke(false);
  });
  const end = () => {
    if (last === null) return;
    last = null;
    onStroke(true);
  };
  board.addEventListener('pointerup', end);
  board.addEventListener('pointercancel', end);
}

/** Draws `image` fitted into the board (the original the user chose). @param {HTMLCanvasElement} board @param {ImageBitmap} image */
export function showOriginal(board, image) {
  const ctx = boardContext(board);
  const scale = Math.min(board.width / image.width, board.height / image.height);
  const [w, h] = [image.width * scale, image.height * scale];
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, board.width, board.height);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, (board.width - w) / 2, (board.height - h) / 2, w, h);
}

/** The 28x28 input, drawn as grey pixels. @param {HTMLCanvasElement} small @param {Uint8Array} pixels */
export function showInput(small, pixels) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (small.getContext('2d'));
  const img = ctx.createImageData(SIDE, SIDE);
  pixels.forEach((v, i) => img.data.set([v, v, v, 255], i * 4));
  ctx.putImageData(img, 0, 0);
}

/**
 * The class probabilities as bars, the predicted class marked.
 * @param {HTMLElement} bars @param {import('../../worker/protocol.js').PictureEvent} result
 */
export function showProbabilities(bars, { probabilities, predicted, class_names }) {
  bars.replaceChildren(
    ...probabilities.map((p, i) => {
      const li = document.createElement('li');
      li.className = i === predicted ? 'predicted' : '';
      li.dataset.value = String(p);
      const pct = `${(100 * p).toFixed(1)} %`;
      li.append(span('name', class_names[i]), bar(p), span('pct', pct));
      li.setAttribute('aria-label', `${class_names[i]}: ${pct}`);
      return li;
    }),
  );
}


/** @param {number} p */
function bar(p) {
  const outer = span('bar', '');
  const inner = span('fill', '');
  inner.style.width = `${Math.max(0.5, 100 * p)}%`;
  outer.append(inner);
  return outer;
}

/**
 * The maps after each stage for the picture, one column a stage.
 * @param {HTMLElement} container @param {{label: string, maps: import('../../worker/protocol.js').FeatureMapsEvent}[]} stages
 */
export function showStageMaps(container, stages) {
  const channels = Math.min(...stages.map((s) => s.maps.channels));
  renderFeatureMaps(container, stages.map((s) => ({ title: `after ${s.label} (${s.maps.side_out}\u00d7${s.maps.side_out})`, side: s.maps.side_out, data: s.maps.output })), channels);
}
