/**
 * @file The self-contained page `vidtok narrate --serve` shows at `/`: inline CSS and script only (no external
 * resources), an EventSource on `/events`, one card per scene whose narration grows with every delta, its boundary
 * (start and end, closed by a cut, the length limit or the end of the stream, merged scenes) and thumbnails of the
 * frames the model saw (PNG `data:` URIs from the event; the only images the CSP allows), and counters for dropped
 * frames, merged scenes and reconnects. Text is inserted with textContent, never as HTML.
 */

export function narrationPage(title: string): string {
  const safeTitle = title
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${safeTitle}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #1d1d1b; }
  header { position: sticky; top: 0; background: #1d1d1b; color: #f6f6f4; padding: 10px 16px; display: flex; gap: 18px; align-items: baseline; }
  header h1 { font-size: 16px; margin: 0; }
  header span { font-size: 13px; opacity: .85; }
  main { padding: 12px 16px; display: flex; flex-direction: column-reverse; gap: 8px; }
  .scene { background: #fff; border-radius: 6px; padding: 8px 12px; box-shadow: 0 1px 2px rgba(0,0,0,.12); }
  .scene .time { font: 12px ui-monospace, monospace; color: #6b6b66; }
  .scene.live { border-left: 4px solid #d9822b; }
  .scene.done { border-left: 4px solid #3b8a5a; }
  .scene .text { white-space: pre-wrap; margin-top: 4px; }
  .notice { font-size: 12px; color: #a33; }
  .scene .frames { display: flex; gap: 3px; margin-top: 6px; flex-wrap: wrap; }
  .scene .frames figure { margin: 0; font: 10px ui-monospace, monospace; color: #6b6b66; text-align: center; }
  .scene .frames img { display: block; height: 54px; border-radius: 2px; }
  .scene .boundary { font-size: 12px; color: #6b6b66; }
</style>
</head>
<body>
<header><h1>${safeTitle}</h1><span id="status">connecting…</span><span id="dropped">0 frames dropped</span><span id="merged">0 scenes merged</span><span id="reconnects">0 reconnects</span></header>
<main id="scenes"></main>
<script>
(() => {
  const scenes = new Map();
  const list = document.getElementById('scenes');
  const status = document.getElementById('status');
  const clock = (s) => { const t = Math.max(0, s); const m = Math.floor(t / 60); return m + ':' + (t - m * 60).toFixed(1).padStart(4, '0'); };
  function card(id) {
    let entry = scenes.get(id);
    if (!entry) {
      const root = document.createElement('section');
      root.className = 'scene live';
      const time = document.createElement('div');
      time.className = 'time';
      const text = document.createElement('div');
      text.className = 'text';
      root.append(time, text);
      list.append(root);
      entry = { root, time, text, start: 0 };
      scenes.set(id, entry);
      if (scenes.size > 500) { const [oldest] = scenes.keys(); scenes.get(oldest).root.remove(); scenes.delete(oldest); }
    }
    return entry;
  }
  const source = new EventSource('/events');
  source.onopen = () => { status.textContent = 'live'; };
  source.onerror = () => { status.textContent = 'disconnected (retrying)'; };
  source.addEventListener('scene-start', (message) => {
    const event = JSON.parse(message.data);
    const entry = card(event.scene);
    entry.start = event.start;
    entry.time.textContent = 'scene ' + event.scene + ' from ' + clock(event.start);
  });
  source.addEventListener('narration-delta', (message) => {
    const event = JSON.parse(message.data);
    card(event.scene).text.textContent += event.text;
  });
  source.addEventListener('narration-end', (message) => {
    const event = JSON.parse(message.data);
    const entry = card(event.scene);
    entry.root.className = 'scene done';
    entry.text.textContent = event.text;
    entry.time.textContent = 'scene ' + event.scene + (event.mergedScenes.length ? '–' + event.mergedScenes[event.mergedScenes.length - 1] : '') + '  ' + clock(event.start) + ' → ' + clock(event.end) + (event.interrupted ? '  (interrupted)' : '');
    const boundary = document.createElement('div');
    boundary.className = 'boundary';
    const closed = { cut: 'ended by a cut', 'max-length': 'ended by the scene length limit', 'end-of-stream': 'ended with the stream' }[event.closedBy] || String(event.closedBy);
    boundary.textContent = closed + (event.mergedScenes.length ? '; merged scenes ' + event.mergedScenes.join(', ') + ' (narrator behind)' : '') + '; ' + event.frames + ' frames seen, ' + event.visualTokens + ' visual tokens';
    entry.root.append(boundary);
    if (Array.isArray(event.thumbnails) && event.thumbnails.length > 0) {
      const strip = document.createElement('div');
      strip.className = 'frames';
      event.thumbnails.forEach((uri, n) => {
        if (typeof uri !== 'string' || !uri.startsWith('data:image/png;base64,')) return;
        const figure = document.createElement('figure');
        const image = document.createElement('img');
        image.src = uri;
        image.alt = 'frame at ' + clock(event.frameTimes[n] ?? event.start);
        const caption = document.createElement('figcaption');
        caption.textContent = clock(event.frameTimes[n] ?? event.start);
        figure.append(image, caption);
        strip.append(figure);
      });
      entry.root.append(strip);
    }
  });
  source.addEventListener('scene-merged', (message) => {
    const event = JSON.parse(message.data);
    document.getElementById('merged').textContent = event.total + ' scenes merged (narrator behind)';
  });
  source.addEventListener('frame-dropped', (message) => {
    const event = JSON.parse(message.data);
    document.getElementById('dropped').textContent = event.total + ' frames dropped';
  });
  source.addEventListener('source-reconnect', (message) => {
    const event = JSON.parse(message.data);
    document.getElementById('reconnects').textContent = 'reconnecting (attempt ' + event.attempt + '): ' + event.reason;
  });
  source.addEventListener('stream-end', () => { status.textContent = 'ended'; source.close(); });
})();
</script>
</body>
</html>
`;
}
