// What a failed e2e test adds to its error: what the page showed at that moment and the test's last
// log lines. CI prints only a part of a long run's output; the error (which node's spec reporter
// repeats at the end) must carry what is needed to understand the failure without a rerun.

/** The page's state as a user would see it, read in the page (any browser driver). */
const SNAPSHOT = () => {
  const text = (id) => document.getElementById(id)?.textContent?.trim().slice(0, 300) ?? null;
  const box = document.getElementById('error-box');
  const lesson = document.getElementById('lesson');
  return {
    url: location.href,
    state: window.resnetExplorer?.state ?? null,
    demosReady: window.resnetExplorer?.demosReady ?? null,
    status: text('status'),
    error: box && !box.hidden ? text('error-message') : null,
    source: text('weights-source'),
    backend: text('backend'),
    notice: text('weights-message') || null,
    lesson: lesson && !lesson.hidden ? lesson.dataset.step : null,
    focus: document.activeElement ? `${document.activeElement.tagName.toLowerCase()}#${document.activeElement.id}` : null,
  };
};

/** Keeps a test's last `size` log lines. */
export function recentLines(size = 40) {
  const lines = [];
  return {
    lines,
    add(line) {
      lines.push(line);
      if (lines.length > size) lines.shift();
    },
  };
}

/**
 * Appends the page's state and the recent log lines to `error`'s message (the page may be gone:
 * then says so). Returns `error`.
 */
export async function explainFailure(error, page, recent) {
  if (!(error instanceof Error)) return error;
  let snapshot;
  try {
    snapshot = JSON.stringify(await Promise.race([page.evaluate(SNAPSHOT), new Promise((_, no) => setTimeout(() => no(new Error('no answer in 5 s')), 5000))]), null, 1);
  } catch (e) {
    snapshot = `(the page could not be read: ${e?.message ?? e})`;
  }
  const added = `\n--- the page when the test failed:\n${snapshot}\n--- the test's last log lines:\n${recent.lines.join('\n')}`;
  // The reporter prints the stack, which holds the message as it was when the error was made.
  if (error.stack?.includes(error.message)) error.stack = error.stack.replace(error.message, error.message + added);
  error.message += added;
  return error;
}
