// @ts-check
// Reading a picture the user chose (or drew) into grey levels: the browser decodes it, a file
// that is not an image or is too large is refused with a sentence, and a big photo is scaled
// down first (the network gets 28x28 of it anyway).

import { MAX_PIXELS, greyLevels } from '../../core/picture.js';

/** The longest side a photo is read at before it is trimmed and scaled to 28x28. */
const READ_SIDE = 1024;

/** @typedef {{grey: Float32Array, width: number, height: number}} Grey */

/**
 * The file decoded (and kept for showing it), or why not.
 * @param {File} file @returns {Promise<ImageBitmap>}
 */
export async function decodeImage(file) {
  if (file.size > 64 * 1024 * 1024) throw new Error(`“${file.name}” is ${(file.size / 1048576).toFixed(0)} MB: choose a picture under 64 MB.`);
  let image;
  try {
    image = await createImageBitmap(file);
  } catch {
    throw new Error(`“${file.name}” is not a picture this browser can read: choose a PNG, JPEG, WebP or GIF.`);
  }
  if (image.width * image.height > MAX_PIXELS) {
    const size = `${image.width} \u00d7 ${image.height}`;
    image.close();
    throw new Error(`“${file.name}” is ${size} pixels, more than this page reads (${MAX_PIXELS / 1e6} million): crop or shrink it first.`);
  }
  return image;
}

/** The grey levels of `image`, at most READ_SIDE on its longest side. @param {ImageBitmap} image @returns {Grey} */
export function imageGrey(image) {
  const scale = Math.min(1, READ_SIDE / Math.max(image.width, image.height));
  const [width, height] = [Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale))];
  const canvas = new OffscreenCanvas(width, height);
  const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d', { willReadFrequently: true }));
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, 0, 0, width, height);
  return { grey: greyLevels(ctx.getImageData(0, 0, width, height).data), width, height };
}

/** The grey levels of a canvas (the drawing board). @param {HTMLCanvasElement} canvas @returns {Grey} */
export function canvasGrey(canvas) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d', { willReadFrequently: true }));
  return { grey: greyLevels(ctx.getImageData(0, 0, canvas.width, canvas.height).data), width: canvas.width, height: canvas.height };
}
