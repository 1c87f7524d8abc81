// @ts-check
// The confusion matrix (rows: true class, columns: predicted class) as a heatmap table, with a
// last column of per-class accuracy bars.

import { pct } from '../../core/format.js';

/** @typedef {import('./gallery.js').Predictions} Predictions */

/** The header row: a corner, one rotated column name a class, "accuracy". @param {HTMLTableElement} table @param {string[]} names */
function header(table, names) {
  const head = table.createTHead().insertRow();
  const corner = document.createElement('th');
  corner.className = 'corner';
  corner.innerHTML = '<span>true \u2193</span> <span>predicted \u2192</span>';
  head.append(corner);
  for (const name of names) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.className = 'col-name';
    const label = document.createElement('span');
    label.textContent = name;
    th.append(label);
    head.append(th);
  }
  const accHead = document.createElement('th');
  accHead.scope = 'col';
  accHead.className = 'acc-head';
  accHead.textContent = 'accuracy';
  head.append(accHead);
}

/**
 * The last cell of a row: a bar and the accuracy of class `t` (a dash when none of it was seen).
 * @param {HTMLTableRowElement} tr @param {string} name @param {number | null} value @param {number} total
 */
function accuracyCell(tr, name, value, total) {
  const acc = tr.insertCell();
  acc.className = 'acc';
  acc.dataset.value = value === null ? '' : String(value);
  const bar = document.createElement('span');
  bar.className = 'acc-bar';
  bar.style.width = `${value === null ? 0 : Math.max(0, Math.min(1, value)) * 100}%`;
  const label = document.createElement('span');
  label.className = 'acc-text';
  label.textContent = value === null ? '\u2013' : pct(value);
  acc.append(bar, label);
  acc.title = value === null ? `no ${name} among these test images` : `${name}: ${pct(value)} of ${total} correct`;
}

/**
 * Fills `table` (emptied first; left empty without predictions or names): a header of class
 * names, one row a true class with a cell a predicted class (`td[data-count]`, shaded by its
 * share of the row; `diag` on the diagonal), and per-class accuracy (`td.acc[data-value]`).
 * @param {HTMLTableElement} table @param {Predictions | null | undefined} predictions @param {string[] | null | undefined} names
 */
export function renderConfusion(table, predictions, names) {
  table.replaceChildren();
  if (!predictions || !names) return;
  const { confusion, per_class: perClass } = predictions;
  header(table, names);
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
    accuracyCell(tr, names[t], total ? perClass[t] : null, total);
  });
}
