// @ts-check
// The test-image gallery: one figure per test image with its true class and, once predictions
// are known, the predicted class (misclassified images marked). Plain DOM and <canvas>.

/**
 * @typedef {{images: ArrayLike<number>[], labels: number[], class_names: string[], side: number}} Gallery
 *   the worker's gallery: `images[i]` holds side x side grey bytes (a `Uint8Array` from the worker)
 * @typedef {{index: number, predicted: number}} Sample
 * @typedef {{samples?: Sample[], confusion: number[][], per_class: (number | null)[]}} Predictions
 *   the worker's predictions on the gallery's images (confusion: rows true class, columns predicted)
 */

/**
 * Draws side x side grey bytes into a new canvas, described by `label` for screen readers.
 * @param {ArrayLike<number>} bytes @param {number} side @param {string} [label]
 */
export function imageCanvas(bytes, side, label) {
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  canvas.setAttribute('role', 'img');
  if (label) canvas.setAttribute('aria-label', label);
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const img = ctx.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const v = bytes[i];
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** @param {string} className @param {string} content @param {string} [tag] */
function span(className, content, tag = 'span') {
  const s = document.createElement(tag);
  s.className = className;
  s.textContent = content;
  return s;
}

/**
 * An image's caption: the predicted class (and the true one when they differ), or only the
 * true class before any prediction.
 * @param {string[]} names @param {number} label @param {number | undefined} guess
 */
function caption(names, label, guess) {
  const caption = document.createElement('span');
  caption.className = 'gallery-caption';
  if (guess === undefined) {
    caption.append(span('truth', names[label]));
  } else {
    caption.append(span('predicted', names[guess], 'strong'));
    if (guess !== label) caption.append(span('truth', `true: ${names[label]}`));
  }
  return caption;
}

/**
 * The gallery: one `.gallery-item` per test image with `data-index`, `data-label` and, when
 * known, `data-predicted`; misclassified ones get the class `wrong`, the others `right`. With
 * `onPick`, items are buttons and a click calls `onPick(index)`; `selected` is pressed.
 * @param {HTMLElement} container @param {Gallery | null | undefined} gallery @param {Predictions | null | undefined} predictions
 * @param {{selected?: number | null, onPick?: ((index: number) => void) | null}} [options]
 */
export function renderGallery(container, gallery, predictions, { selected = null, onPick = null } = {}) {
  container.replaceChildren();
  if (!gallery) return;
  const names = gallery.class_names;
  const predicted = new Map((predictions?.samples ?? []).map((s) => [s.index, s.predicted]));
  gallery.images.forEach((bytes, index) => {
    const label = gallery.labels[index];
    const guess = predicted.get(index);
    const item = document.createElement(onPick ? 'button' : 'figure');
    item.className = 'gallery-item';
    item.dataset.index = String(index);
    if (onPick) {
      /** @type {HTMLButtonElement} */ (item).type = 'button';
      item.setAttribute('aria-pressed', String(index === selected));
      item.addEventListener('click', () => onPick(index));
    }
    if (guess !== undefined) {
      item.classList.add(guess === label ? 'right' : 'wrong');
      item.dataset.predicted = String(guess);
    }
    item.dataset.label = String(label);
    const what = guess === undefined ? `true class ${names[label]}` : `predicted ${names[guess]}, true class ${names[label]}`;
    item.append(imageCanvas(bytes, gallery.side, `Test image ${index}: ${what}`), caption(names, label, guess));
    container.append(item);
  });
}
