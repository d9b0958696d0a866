// latent serve's view of a vector set: its 2-D map (GET /map), labels on hover, a search box that
// highlights a word's (GET /similar) or a sentence's (POST /search through a model) neighbours,
// and the quality figures of `latent report`. No libraries, no network beyond this server.
"use strict";
const $ = (id) => document.getElementById(id);
let info = null, map = null, hits = new Set(), scale = null;

async function getJSON(url, body) {
  const r = await fetch(url, body ? { method: "POST", headers: { "Content-Type": "application/json" },
                                      body: JSON.stringify(body) } : {});
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

function fit() {
  const c = $("map"), dpr = window.devicePixelRatio || 1;
  c.width = c.clientWidth * dpr;
  c.height = c.clientHeight * dpr;
  if (!map || !map.xy.length) return;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < map.xy.length; i += 2) {
    x0 = Math.min(x0, map.xy[i]); x1 = Math.max(x1, map.xy[i]);
    y0 = Math.min(y0, map.xy[i + 1]); y1 = Math.max(y1, map.xy[i + 1]);
  }
  const pad = 20 * dpr, s = Math.min((c.width - 2 * pad) / (x1 - x0 || 1), (c.height - 2 * pad) / (y1 - y0 || 1));
  // centred in the canvas, one scale for both axes
  scale = { x0, y0, s, dpr, ox: (c.width - (x1 - x0) * s) / 2, oy: (c.height - (y1 - y0) * s) / 2 };
}
const px = (i) => scale.ox + (map.xy[2 * i] - scale.x0) * scale.s;
const py = (i) => scale.oy + (map.xy[2 * i + 1] - scale.y0) * scale.s;

function draw() {
  const c = $("map"), g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  if (!map || !scale) return;
  const r = 1.6 * scale.dpr, n = map.xy.length / 2;
  g.fillStyle = "rgba(40, 80, 160, 0.45)";
  for (let i = 0; i < n; i++) g.fillRect(px(i) - r, py(i) - r, 2 * r, 2 * r);
  g.font = 12 * scale.dpr + "px sans-serif";
  for (let i = 0; i < n; i++) {
    if (!hits.has(map.ids[i])) continue;
    g.fillStyle = "#c00";
    g.beginPath(); g.arc(px(i), py(i), 4 * scale.dpr, 0, 2 * Math.PI); g.fill();
    g.fillText(map.labels[i], px(i) + 6 * scale.dpr, py(i) - 4 * scale.dpr);
  }
}

function nearestPoint(ev) {
  if (!map || !scale) return -1;
  const b = $("map").getBoundingClientRect(), x = (ev.clientX - b.left) * scale.dpr, y = (ev.clientY - b.top) * scale.dpr;
  let best = -1, bd = (8 * scale.dpr) ** 2;
  for (let i = 0; i < map.xy.length / 2; i++) {
    const d = (px(i) - x) ** 2 + (py(i) - y) ** 2;
    if (d < bd) { bd = d; best = i; }
  }
  return best;
}

function showQuality() {
  const t = $("quality");
  t.textContent = "";
  for (const m of map.quality) {
    if (m.value === null) continue;
    const tr = t.insertRow();
    tr.title = m.meaning;
    tr.insertCell().textContent = m.key.replace(/_/g, " ");
    tr.insertCell().textContent = Math.abs(m.value) >= 100 ? m.value.toFixed(0) : m.value.toPrecision(3);
  }
}

async function loadSet(name) {
  $("status").textContent = "computing the map of " + name + " (first time only)";
  map = await getJSON("/map?vectors=" + encodeURIComponent(name));
  hits = new Set();
  $("hits").textContent = "";
  fit(); draw(); showQuality();
  $("status").textContent = `${name}: ${map.rows} rows, ${map.xy.length / 2} on the map (${map.method})`;
}

async function search(q) {
  const set = $("set").value;
  if (!q || !set) return;
  $("q").value = q;
  let res;
  try {
    if (map.labels.includes(q) || !info.models.some((m) => m.kind === "embedding" && m.dim === map.dim)) {
      res = await getJSON(`/similar?word=${encodeURIComponent(q)}&k=20&vectors=${encodeURIComponent(set)}`);
    } else {
      const model = info.models.find((m) => m.kind === "embedding" && m.dim === map.dim).name;
      res = (await getJSON("/search", { index: set, texts: [q], model, k: 20 }))[0];
    }
  } catch (e) {
    $("status").textContent = String(e.message || e);
    return;
  }
  hits = new Set(res.map((h) => h.id));
  const ol = $("hits");
  ol.textContent = "";
  const onMap = new Set(map.ids);
  for (const h of res) {
    const li = document.createElement("li");
    li.className = onMap.has(h.id) ? "hit" : "";
    const v = h.similarity !== undefined ? h.similarity : 1 - h.distance;
    li.textContent = `${h.label !== undefined ? h.label : h.id}  ${v.toFixed(3)}`;
    ol.appendChild(li);
  }
  $("status").textContent = `${res.length} neighbours of "${q}", ${res.filter((h) => onMap.has(h.id)).length} on the map (red)`;
  draw();
}

async function main() {
  info = await getJSON("/info");
  const sel = $("set");
  for (const v of info.vectors) sel.add(new Option(`${v.name} (${v.rows} x ${v.dim})`, v.name));
  if (!info.vectors.length) { $("status").textContent = "no --vectors set is served"; return; }
  sel.onchange = () => loadSet(sel.value);
  $("form").onsubmit = (e) => { e.preventDefault(); search($("q").value.trim()); };
  const tip = $("tip");
  $("map").onmousemove = (e) => {
    const i = nearestPoint(e);
    if (i < 0) { tip.style.display = "none"; return; }
    tip.textContent = map.labels[i];
    tip.style.left = e.offsetX + 12 + "px"; tip.style.top = e.offsetY + 12 + "px"; tip.style.display = "block";
  };
  $("map").onclick = (e) => { const i = nearestPoint(e); if (i >= 0) search(map.labels[i]); };
  window.onresize = () => { fit(); draw(); };
  await loadSet(sel.value);
  const m = /[#&]q=([^&]*)/.exec(location.hash);   // /#q=word: search on load
  if (m) await search(decodeURIComponent(m[1]));
}
main().catch((e) => { $("status").textContent = "error: " + e.message; console.error(e); });
