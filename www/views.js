// Small views of what the worker computes: the test-image gallery with predictions, the
// confusion matrix with per-class accuracy, and feature maps. Plain DOM and <canvas>.

const pct = (x) => `${(x * 100).toFixed(1)} %`;

/** Draws 28x28 (side x side) grey bytes into a canvas. */
export function imageCanvas(bytes, side, label) {
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  canvas.setAttribute('role', 'img');
  if (label) canvas.setAttribute('aria-label', label);
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const v = bytes[i];
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/**
 * The gallery: one figure per test image with its true class and, when known, the prediction.
 * Misclassified images get the class `wrong`. Clicking one calls `onPick(index)`.
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
      item.type = 'button';
      item.setAttribute('aria-pressed', String(index === selected));
      item.addEventListener('click', () => onPick(index));
    }
    if (guess !== undefined) {
      item.classList.add(guess === label ? 'right' : 'wrong');
      item.dataset.predicted = String(guess);
    }
    item.dataset.label = String(label);
    const what = guess === undefined ? `true class ${names[label]}` : `predicted ${names[guess]}, true class ${names[label]}`;
    item.append(imageCanvas(bytes, gallery.side, `Test image ${index}: ${what}`));
    const caption = document.createElement('span');
    caption.className = 'gallery-caption';
    if (guess !== undefined) {
      const p = document.createElement('strong');
      p.className = 'predicted';
      p.textContent = names[guess];
      caption.append(p);
      if (guess !== label) {
        const t = document.createElement('span');
        t.className = 'truth';
        t.textContent = `true: ${names[label]}`;
        caption.append(t);
      }
    } else {
      const t = document.createElement('span');
      t.className = 'truth';
      t.textContent = names[label];
      caption.append(t);
    }
    item.append(caption);
    container.append(item);
  });
}

/**
 * The confusion matrix (rows: true class, columns: predicted class) as a heatmap table, with a
 * last column of per-class accuracy bars.
 */
export function renderConfusion(table, predictions, names) {
  table.replaceChildren();
  if (!predictions || !names) return;
  const { confusion, per_class: perClass } = predictions;
  const head = table.createTHead().insertRow();
  const corner = document.createElement('th');
  corner.className = 'corner';
  corner.innerHTML = '<span>true \u2193</span> <span>predicted \u2192</span>';
  head.append(corner);
  for (const name of names) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.className = 'col-name';
    th.innerHTML = '<span></span>';
    th.firstChild.textContent = name;
    head.append(th);
  }
  const accHead = document.createElement('th');
  accHead.scope = 'col';
  accHead.className = 'acc-head';
  accHead.textContent = 'accuracy';
  head.append(accHead);

  const body = table.createTBody();
  confusion.forEach((row, t) => {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = names[t];
    tr.append(th);
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => {
      const td = tr.insertCell();
      const share = total ? count / total : 0;
      td.textContent = count ? String(count) : '';
      td.className = t === p ? 'diag' : count ? 'off' : 'zero';
      const alpha = count ? 0.12 + 0.88 * share : 0;
      td.style.setProperty('--share', alpha.toFixed(3));
      if (alpha > 0.55) td.classList.add('dark');
      td.title = `true ${names[t]}, predicted ${names[p]}: ${count} of ${total}${total ? ` (${pct(share)})` : ''}`;
      td.dataset.count = String(count);
    });
    const acc = tr.insertCell();
    acc.className = 'acc';
    const value = total ? perClass[t] : null;
    acc.dataset.value = value === null ? '' : String(value);
    const bar = document.createElement('span');
    bar.className = 'acc-bar';
    bar.style.width = `${value === null ? 0 : Math.max(0, Math.min(1, value)) * 100}%`;
    const label = document.createElement('span');
    label.className = 'acc-text';
    label.textContent = value === null ? '\u2013' : pct(value);
    acc.append(bar, label);
    acc.title = value === null ? `no ${names[t]} among these test images` : `${names[t]}: ${pct(value)} of ${total} correct`;
  });
}

// viridis, 5 stops
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
function colour(t) {
  const x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  return STOPS[i].map((a, k) => Math.round(a + (STOPS[i + 1][k] - a) * f));
}

function mapCanvas(values, offset, side, vmax, label) {
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  canvas.className = 'fmap';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const [r, g, b] = colour(vmax > 0 ? values[offset + i] / vmax : 0);
    img.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/**
 * Feature maps side by side: `columns` = [{title, side, data}] (each `channels` maps of
 * side x side floats). Each channel shares one colour scale across the columns, so equal maps
 * look equal.
 */
export function renderFeatureMaps(container, columns, channels) {
  container.replaceChildren();
  container.style.setProperty('--fmap-columns', String(columns.length));
  const corner = document.createElement('span');
  corner.className = 'fmap-head';
  corner.textContent = 'channel';
  container.append(corner);
  for (const col of columns) {
    const h = document.createElement('span');
    h.className = 'fmap-head';
    h.textContent = col.title;
    container.append(h);
  }
  for (let c = 0; c < channels; c++) {
    let vmax = 0;
    for (const col of columns) {
      const n = col.side * col.side;
      for (let i = c * n; i < (c + 1) * n; i++) vmax = Math.max(vmax, Math.abs(col.data[i]));
    }
    const label = document.createElement('span');
    label.className = 'fmap-channel';
    label.textContent = String(c);
    container.append(label);
    for (const col of columns) {
      const n = col.side * col.side;
      container.append(mapCanvas(col.data, c * n, col.side, vmax, `${col.title}, channel ${c}`));
    }
  }
}
