/* costcalc interactive report: recomputes the report's tables in the browser from the embedded data.
 * The formulas are those of costcalc.costing (docs/cost-model.md); keep the two in step. No network, no library. */
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("costcalc-data").textContent);
  const $ = (id) => document.getElementById(id);
  // Each offering as priced on the chosen as-of date (D.price_history; the report's own date by default).
  const AS_OF = D.as_of_choices.map((c) => String(c.date));
  function offeringsAt(day) {
    return new Map(D.offerings.map((o) => {
      const kept = (D.price_history[o.ref] || []).filter((c) => String(c.from) <= day);
      const now = kept[kept.length - 1];
      if (!now) return [o.ref, o];
      return [o.ref, now.price ? {...o, ...now.price, unpriced: null} : {...o, unpriced: `no price on ${day}: ${now.why}`}];
    }));
  }
  let OFF = offeringsAt(String(D.as_of));
  const LANGS = D.languages.map((l) => l.code);
  const GENRES = D.genres.map((g) => g.id);
  const langName = (code) => D.language_names[code] || code;
  // The workload fields of costcalc.costing.Workload: a control and a fragment key each (output-ratio, ...).
  const number = (min, max, integer) => (raw) => {
    const v = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
      return {error: `must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}`};
    return {value: v};
  };
  const FIELD_INFO = {
    output_ratio: {label: "Output tokens per input token", parse: number(0, 1000), step: "0.05", mixedOnly: true},
    cached_share: {label: "Share of input read from the prompt cache", parse: number(0, 1), step: "0.05"},
    cache_write_share: {label: "Share of input written to the prompt cache", parse: number(0, 1), step: "0.05"},
    cache_ttl: {label: "Cache lifetime of the writes", choices: [["5m", "5 minutes"], ["1h", "1 hour"]]},
    batch_share: {label: "Share sent through batch APIs", parse: number(0, 1), step: "0.05"},
    prompt_tokens: {label: "Prompt size in tokens (selects long-context tiers; empty: the base tier)",
      parse: (raw) => (raw.trim() === "" || raw === "none" ? {value: null} : number(1, 1e9, true)(raw)), step: "1000",
      tiers: true},
    endpoint: {label: "Endpoint", choices: [["global", "global"], ["regional", "regional (provider's uplift)"]]},
  };
  const FIELDS = Object.keys(D.view.workload).filter((k) => k !== "direction" && FIELD_INFO[k])
    .filter((k) => !FIELD_INFO[k].tiers || D.offerings.some((o) => o.tiers.length));
  const key = (field) => field.replace(/_/g, "-");
  const num = (v) => (v === null || v === undefined ? null : Number(v));

  function defaults() {
    const w = {direction: D.view.workload.direction || "input"};
    for (const f of FIELDS) {
      const v = D.view.workload[f];
      w[f] = FIELD_INFO[f].choices || v === null ? v : Number(v);
    }
    return {langs: D.view.languages.slice(), offs: D.view.offerings.slice(), base: D.view.base, workload: w,
      asOf: String(D.as_of),
      genres: D.view.genres ? Object.fromEntries(Object.entries(D.view.genres).map(([g, x]) => [g, Number(x)])) : null,
      chart: D.view.base};
  }
  let state = defaults();

  /* ---------- the cost model (docs/cost-model.md) ---------- */

  function units(w) { // (input share, output share) of each counted token
    if (w.direction === "input") return [1, 0];
    if (w.direction === "output") return [0, 1];
    return [1, w.output_ratio];
  }

  // The prices of the tier a request of prompt_tokens falls in; mirrors costcalc.costing._tier_prices.
  function tierPrices(o, w, notes) {
    const p = {...o.prices};
    if (!o.tiers.length) return p;
    if (w.prompt_tokens == null) {
      notes.push(`long-context prices above ${o.tiers[0].above} prompt tokens not applied (costed at the base ` +
        "tier); give a prompt size to select a tier");
      return p;
    }
    const tier = o.tiers.slice().reverse().find((t) => w.prompt_tokens > t.above);
    if (!tier) return p;
    notes.push(`long-context tier: prompts above ${tier.above} tokens`);
    for (const name of ["input", "output", "cached_input", "cache_write", "cache_write_1h"]) {
      if (tier[name] != null) p[name] = tier[name];
      else if (p[name] != null) notes.push(`the tier lists no ${name} price: the base-tier price is used`);
    }
    for (const [name, base] of [["batch_input", "input"], ["batch_output", "output"]]) {
      if (name in o.derived && o.batch_factor != null && p[base] != null) p[name] = p[base] * o.batch_factor;
      else if (p[name] != null) notes.push(`no long-context ${name} price: the base-tier batch price is used`);
    }
    return p;
  }

  // Effective price per 1M units under the workload; mirrors costcalc.costing._blend.
  function blend(o, w) {
    const notes = [];
    const [shareIn, shareOut] = units(w);
    if (shareIn && o.prices.input == null) return {error: "no input price"};
    if (shareOut && o.prices.output == null) return {error: "no output price (an embedding model?)"};
    const p = tierPrices(o, w, notes);
    const baseIn = num(p.input) ?? 0, baseOut = num(p.output) ?? 0;
    const read = w.cached_share || 0, write = w.cache_write_share || 0, b = w.batch_share || 0;
    let cached = num(p.cached_input);
    if (read && cached == null) { notes.push("no cached-input price: cached share billed at the input price"); cached = baseIn; }
    let written = num(p[w.cache_ttl === "1h" ? "cache_write_1h" : "cache_write"]);
    if (write && written == null) {
      notes.push(`no ${w.cache_ttl || "5m"} cache-write price: cache writes billed at the input price`);
      written = baseIn;
    }
    const standardIn = (1 - read - write) * baseIn + read * (cached ?? 0) + write * (written ?? 0);
    let batchIn = num(p.batch_input), batchOut = num(p.batch_output);
    if (b && (batchIn == null || batchOut == null)) {
      notes.push("no batch price: batch share billed at the standard price");
      batchIn = batchIn || standardIn; batchOut = batchOut || baseOut;
    }
    let effIn = (1 - b) * standardIn + b * (b ? batchIn : 0);
    let effOut = (1 - b) * baseOut + b * (b ? batchOut : 0);
    if (w.endpoint === "regional") {
      if (o.regional_uplift != null) {
        notes.push(`regional endpoint: list prices x ${o.regional_uplift} (provider rule)`);
        effIn *= o.regional_uplift; effOut *= o.regional_uplift;
      } else notes.push("the provider lists no regional uplift: list prices");
    }
    return {price: effIn * shareIn + effOut * shareOut, effIn, effOut, notes};
  }

  function sharedDocs(lang) {
    const here = D.chars[lang] || {}, ref = D.chars[D.reference] || {};
    return Object.keys(here).filter((d) => d in ref).sort();
  }

  // Units per English character over the documents, pooled or genre-weighted, as [numerator, denominator].
  function rate(unitsByDoc, docs, weights) {
    const en = D.chars[D.reference];
    if (!weights) return [docs.reduce((s, d) => s + unitsByDoc[d], 0), docs.reduce((s, d) => s + en[d], 0)];
    let n = 0, total = 0;
    for (const [g, w] of Object.entries(weights)) { if (w) { n += w * unitsByDoc[g] / en[g]; total += w; } }
    return [n, total];
  }

  function cell(lang, ref) { // everything one (language, offering) cell shows
    const o = OFF.get(ref), docs = sharedDocs(lang), w = state.genres;
    if (o.unpriced) return {error: o.unpriced};
    if (!docs.length) return {error: `no documents shared with ${langName(D.reference)}`};
    if (w) {
      const missing = Object.keys(w).filter((g) => w[g] && !docs.includes(g));
      if (missing.length) return {error: `no ${missing[0]} document in this language`};
    }
    const toks = D.tokens[o.tokenizer][lang], toksEn = D.tokens[o.tokenizer][D.reference];
    const [nl, den] = rate(toks, docs, w), [nEn] = rate(toksEn, docs, w), [nc] = rate(D.chars[lang], docs, w);
    const bl = blend(o, state.workload);
    if (bl.error) return bl;
    const cost = bl.price * (o.unit === "character" ? nc : nl) / den;
    const out = {cost, notes: bl.notes, effIn: bl.effIn, effOut: bl.effOut, tokensPer1m: nl / den * 1e6,
      premium: nl / nEn, docs: docs.length};
    if (o.context_window) {
      out.contextChars = Math.floor(o.context_window * nc / nl);
      out.contextVsEn = nEn / nl;
    }
    return out;
  }

  function ratio(c, base) { // cost(offering) / cost(base); mirrors costcalc.costing._ratio
    if (c.error || base.error) return null;
    if (base.cost) return c.cost / base.cost;
    return c.cost === base.cost ? 1 : null;
  }

  /* ---------- text ---------- */

  const money = (x) => (x >= 100 ? x.toFixed(2) : x >= 1 ? x.toFixed(3) : x.toFixed(4));
  const ratioText = (v) => (v >= 9.95 ? v.toFixed(0) : v >= 0.995 ? v.toFixed(1) : v.toFixed(2)) + "x";
  const compact = (n) => (n >= 1e6 ? `${+(n / 1e6).toPrecision(3)}M` : n >= 1000 ? `${+(n / 1e3).toPrecision(3)}k` : `${n}`);
  const pct = (x) => `${+(x * 100).toPrecision(4)} %`;
  const label = (o) => `${o.name} on ${o.provider}${o.exact ? "" : " (estimate)"}`;
  const short = (ref) => ref.split("/").slice(1).join("/");

  function describeWorkload(w) { // mirrors Workload.describe
    const text = {input: "input (prompt) tokens", output: "output (completion) tokens",
      mixed: `input plus ${w.output_ratio} output tokens per input token`}[w.direction];
    const extras = [];
    if (w.cached_share) extras.push(`${pct(w.cached_share)} cached`);
    if (w.cache_write_share) extras.push(`${pct(w.cache_write_share)} written to the ${w.cache_ttl || "5m"} cache`);
    if (w.batch_share) extras.push(`${pct(w.batch_share)} batch`);
    if (w.prompt_tokens != null) extras.push(`${w.prompt_tokens} prompt tokens per request`);
    if (w.endpoint) extras.push(`${w.endpoint} endpoint`);
    return text + (extras.length ? ` (${extras.join(", ")})` : "");
  }

  function describeGenres(w) {
    if (!w) return D.genre_default;
    const total = Object.values(w).reduce((a, b) => a + b, 0);
    return "genre-weighted: " + Object.entries(w).filter(([, x]) => x)
      .map(([g, x]) => `${g} ${Math.round(x / total * 100)} %`).join(", ") + " of the content";
  }

  /* ---------- the URL fragment ---------- */

  function toHash() {
    const d = defaults(), p = [];
    const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (!same(state.langs, d.langs)) p.push(["l", state.langs.join(",")]);
    if (!same(state.offs, d.offs)) p.push(["m", state.offs.join(",")]);
    if (state.base !== d.base) p.push(["base", state.base]);
    if (state.asOf !== d.asOf) p.push(["as-of", state.asOf]);
    if (state.workload.direction !== d.workload.direction) p.push(["direction", state.workload.direction]);
    for (const f of FIELDS) if (state.workload[f] !== d.workload[f]) p.push([key(f), String(state.workload[f] ?? "none")]);
    const g = state.genres ? Object.entries(state.genres).map(([k, v]) => `${k}=${v}`).join(",") : "";
    const dg = d.genres ? Object.entries(d.genres).map(([k, v]) => `${k}=${v}`).join(",") : "";
    if (g !== dg) p.push(["genre", g || "all"]);
    if (state.chart !== state.base) p.push(["chart", state.chart]);
    return p.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ",").replace(/%2F/g, "/").replace(/%3A/g, ":").replace(/%3D/g, "=")}`).join("&");
  }

  // Reads a fragment into the state; returns what it ignored, each with the value used instead.
  function parseField(f, raw) {
    const info = FIELD_INFO[f];
    if (info.choices) {
      const ok = info.choices.map(([v]) => v);
      return ok.includes(raw) ? {value: raw} : {error: `use ${ok.join(" or ")}`};
    }
    return info.parse(raw);
  }

  function fromHash(hash) {
    const s = defaults(), ignored = [];
    const params = new URLSearchParams(hash.replace(/^#/, ""));
    const known = new Set(["l", "m", "base", "as-of", "direction", "genre", "chart", ...FIELDS.map(key)]);
    for (const k of params.keys()) if (!known.has(k)) ignored.push(`unknown setting “${k}”`);
    const list = (v) => v.split(",").map((x) => x.trim()).filter(Boolean);
    if (params.has("l")) {
      const want = list(params.get("l")), ok = want.filter((x) => LANGS.includes(x));
      want.filter((x) => !LANGS.includes(x)).forEach((x) => ignored.push(`language “${x}” (not in this page)`));
      if (ok.length) s.langs = [...new Set(ok)];
      else ignored.push(`no known language in l=…: showing ${s.langs.map(langName).join(", ")}`);
    }
    if (params.has("m")) {
      const want = list(params.get("m")), ok = want.filter((x) => OFF.has(x));
      want.filter((x) => !OFF.has(x)).forEach((x) => ignored.push(`offering “${x}” (not in this page)`));
      if (ok.length) s.offs = [...new Set(ok)];
      else ignored.push("no known offering in m=…: showing the report's offerings");
    }
    if (params.has("base")) {
      const b = params.get("base");
      if (s.offs.includes(b)) s.base = b;
      else ignored.push(`base “${b}” (not among the offerings shown)`);
    }
    if (!s.offs.includes(s.base)) {
      ignored.push(`base ${s.base} is not among the offerings shown: using ${s.offs[0]}`);
      s.base = s.offs[0];
    }
    s.chart = s.base;
    if (params.has("as-of")) {
      const day = params.get("as-of").trim(), earlier = AS_OF.filter((d) => d <= day);
      if (AS_OF.includes(day)) s.asOf = day;
      else if (/^\d{4}-\d{2}-\d{2}$/.test(day) && earlier.length && day < s.asOf) {
        s.asOf = earlier[earlier.length - 1];
        ignored.push(`as-of “${day}” (not one of this page's dates, on which prices changed): using ${s.asOf}, ` +
          "the latest before it; `costcalc report --as-of` gives any date");
      } else ignored.push(`as-of “${day}” (this page has prices from ${AS_OF[0]} to ${AS_OF[AS_OF.length - 1]}): ` +
        `using ${s.asOf}`);
    }
    if (params.has("direction")) {
      const dir = params.get("direction");
      if (["input", "output", "mixed"].includes(dir)) s.workload.direction = dir;
      else ignored.push(`direction “${dir}” (use input, output or mixed): using ${s.workload.direction}`);
    }
    for (const f of FIELDS) {
      if (!params.has(key(f))) continue;
      const raw = params.get(key(f)), got = parseField(f, raw);
      if (got.error) ignored.push(`${key(f)} “${raw}” (${got.error}): using ${s.workload[f] ?? "none"}`);
      else s.workload[f] = got.value;
    }
    if ((s.workload.cached_share || 0) + (s.workload.cache_write_share || 0) > 1) {
      ignored.push("cached-share plus cache-write-share is more than all of the input: using no cache writes");
      s.workload.cache_write_share = 0;
    }
    if (s.workload.direction === "mixed" && !(s.workload.output_ratio > 0)) {
      ignored.push("direction mixed needs output-ratio above 0: showing input");
      s.workload.direction = "input";
    }
    if (params.has("genre")) {
      const raw = params.get("genre");
      if (raw === "all") s.genres = null;
      else {
        const w = {};
        for (const item of list(raw)) {
          const [g, x] = item.split("=");
          const v = x === undefined ? 1 : Number(x);
          if (!GENRES.includes(g)) ignored.push(`genre “${g}” (the genres are ${GENRES.join(", ")})`);
          else if (!Number.isFinite(v) || v < 0 || (x !== undefined && x.trim() === ""))
            ignored.push(`genre weight “${item}” (must be a number >= 0)`);
          else w[g] = (w[g] || 0) + v;
        }
        if (Object.values(w).some((v) => v > 0)) s.genres = w;
        else ignored.push(`genre “${raw}” gives no genre a weight: using ${describeGenres(s.genres)}`);
      }
    }
    if (params.has("chart")) {
      const c = params.get("chart");
      if (s.offs.includes(c)) s.chart = c;
      else ignored.push(`chart “${c}” (not among the offerings shown)`);
    }
    return {s, ignored};
  }

  /* ---------- DOM helpers ---------- */

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function message(text, kind) { return el("p", {class: kind || "problem", text}); }

  function heatColour(v) { // green below 1 (cheaper than the base), red above; log scale saturating at 10x
    if (!(v > 0) || !Number.isFinite(v)) return "#eeeeee";
    const t = Math.max(-1, Math.min(1, Math.log10(v)));
    const k = Math.round(Math.abs(t) * 115);
    return t < 0 ? `rgb(${255 - k},255,${255 - k})` : `rgb(255,${255 - k},${255 - k})`;
  }

  /* ---------- controls ---------- */

  function buildControls() {
    const langs = $("languages");
    for (const l of D.languages) {
      const id = `lang-${l.code}`;
      langs.append(el("div", {class: "choice"}, el("input", {type: "checkbox", id, value: l.code}),
        el("label", {for: id, text: `${l.name} (${l.code})`})));
    }
    const byProvider = new Map();
    for (const o of D.offerings) {
      if (!byProvider.has(o.provider)) byProvider.set(o.provider, []);
      byProvider.get(o.provider).push(o);
    }
    const box = $("offerings");
    for (const [provider, offs] of byProvider) {
      const fs = el("fieldset", {class: "provider"}, el("legend", {text: provider}));
      for (const o of offs) {
        const id = `off-${o.ref}`;
        fs.append(el("div", {class: "choice", "data-search": `${o.ref} ${o.name} ${o.provider} ${o.tokenizer}`.toLowerCase()},
          el("input", {type: "checkbox", id, value: o.ref}),
          el("label", {for: id, text: `${o.name}${o.exact ? "" : " (estimate)"}`})));
      }
      box.append(fs);
    }
    box.append(el("p", {class: "hint", id: "no-match", hidden: "", text: "No offering matches the search."}));
    $("as-of").replaceChildren(...D.as_of_choices.slice().reverse().map((c, i, all) => {
      const day = String(c.date), names = c.changed.map(short);
      const what = day === String(D.as_of) ? " (the report's date)" : i === all.length - 1 ? " (the earliest)"
        : names.length ? ` (changed: ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""})` : "";
      return el("option", {value: day, text: day + what});
    }));
    const wf = $("workload-fields");
    for (const f of FIELDS) {
      const info = FIELD_INFO[f];
      const control = info.choices
        ? el("select", {id: `w-${f}`}, ...info.choices.map(([v, text]) => el("option", {value: v, text})))
        : el("input", {type: "number", id: `w-${f}`, step: info.step, inputmode: "decimal"});
      wf.append(el("div", {class: "field", "data-field": f}, el("label", {for: `w-${f}`, text: info.label}), control));
    }
    $("genre-hint").textContent = `Weights per corpus genre (the share of the content each one stands for). ` +
      `Leave all empty for the default: ${D.genre_default}.`;
    const gbox = $("genres");
    for (const g of D.genres) {
      gbox.append(el("div", {class: "field genre"}, el("label", {for: `g-${g.id}`, text: `${g.id}`},
        el("span", {class: "hint", text: ` (${g.description})`})),
      el("input", {type: "number", id: `g-${g.id}`, min: 0, step: "any", inputmode: "decimal", placeholder: "default"})));
    }
    $("controls").addEventListener("change", onControl);
    $("controls").addEventListener("input", (e) => { if (e.target.id === "offering-search") filterOfferings(); });
    $("lang-all").addEventListener("click", () => { state.langs = LANGS.slice(); commit(); });
    $("lang-none").addEventListener("click", () => { state.langs = []; commit(); });
    $("reset").addEventListener("click", () => { state = defaults(); shown = []; commit(); });
    $("copy").addEventListener("click", copyLink);
  }

  function filterOfferings() {
    const q = $("offering-search").value.trim().toLowerCase();
    let any = false;
    for (const fs of document.querySelectorAll("#offerings fieldset")) {
      let visible = 0;
      for (const c of fs.querySelectorAll(".choice")) {
        const hit = !q || q.split(/\s+/).every((w) => c.dataset.search.includes(w));
        c.hidden = !hit; visible += hit;
      }
      fs.hidden = !visible; any = any || visible > 0;
    }
    $("no-match").hidden = any;
  }

  function syncControls() {
    for (const c of document.querySelectorAll("#languages input")) c.checked = state.langs.includes(c.value);
    for (const c of document.querySelectorAll("#offerings input[type=checkbox]")) c.checked = state.offs.includes(c.value);
    for (const [id, value] of [["base", state.base], ["chart", state.chart]]) {
      const sel = $(id);
      sel.replaceChildren(...state.offs.map((r) => el("option", {value: r, text: label(OFF.get(r))})));
      sel.value = value;
      sel.disabled = !state.offs.length;
    }
    $("direction").value = state.workload.direction;
    $("as-of").value = state.asOf;
    for (const f of FIELDS) {
      const input = $(`w-${f}`);
      if (document.activeElement !== input) input.value = state.workload[f] ?? "";
      const info = FIELD_INFO[f];
      input.closest(".field").hidden = Boolean(info && info.mixedOnly && state.workload.direction !== "mixed");
    }
    for (const g of GENRES) {
      const input = $(`g-${g}`);
      const v = state.genres ? state.genres[g] : undefined;
      if (document.activeElement !== input) input.value = v === undefined ? "" : v;
    }
  }

  let shown = []; // problems to show until the next change
  function onControl(e) {
    const t = e.target;
    shown = [];
    if (t.closest("#languages")) state.langs = LANGS.filter((c) => $(`lang-${c}`).checked);
    else if (t.closest("#offerings")) {
      state.offs = D.offerings.map((o) => o.ref).filter((r) => document.getElementById(`off-${r}`).checked);
      if (!state.offs.includes(state.base) && state.offs.length) {
        shown.push(`The base is no longer shown: base is now ${label(OFF.get(state.offs[0]))}.`);
        state.base = state.offs[0];
      }
      if (!state.offs.includes(state.chart)) state.chart = state.base;
    } else if (t.id === "as-of") state.asOf = t.value;
    else if (t.id === "base") { if (state.chart === state.base) state.chart = t.value; state.base = t.value; }
    else if (t.id === "chart") state.chart = t.value;
    else if (t.id === "direction") {
      state.workload.direction = t.value;
      if (t.value === "mixed" && !(state.workload.output_ratio > 0)) {
        state.workload.output_ratio = 0.25;
        shown.push("Input plus output needs output tokens per input token: set to 0.25, change it as you need.");
      }
    } else if (t.id.startsWith("w-")) {
      const f = t.id.slice(2), got = parseField(f, t.value);
      const other = {cached_share: "cache_write_share", cache_write_share: "cached_share"}[f];
      if (got.error) shown.push(`${FIELD_INFO[f].label}: ${got.error}; kept ${state.workload[f] ?? "none"}.`);
      else if (f === "output_ratio" && got.value === 0 && state.workload.direction === "mixed")
        shown.push(`Input plus output needs output tokens per input token above 0: kept ${state.workload[f]}.`);
      else if (other && got.value + (state.workload[other] || 0) > 1)
        shown.push(`The cache reads and writes together are more than all of the input: kept ${state.workload[f]}.`);
      else state.workload[f] = got.value;
    } else if (t.id.startsWith("g-")) {
      const w = {};
      for (const g of GENRES) {
        const raw = $(`g-${g}`).value.trim();
        if (raw === "") continue;
        const v = Number(raw);
        if (!Number.isFinite(v) || v < 0) shown.push(`Genre weight for ${g} must be a number >= 0: left out.`);
        else w[g] = v;
      }
      if (!Object.keys(w).length) state.genres = null;
      else if (Object.values(w).some((v) => v > 0)) state.genres = w;
      else { state.genres = null; shown.push(`Genre weights add up to 0: using the default, ${D.genre_default}.`); }
    }
    commit();
  }

  function commit() {
    const hash = toHash();
    history.replaceState(null, "", hash ? `#${hash}` : location.pathname + location.search);
    render();
  }

  async function copyLink() {
    const url = location.href;
    try { await navigator.clipboard.writeText(url); $("copied").textContent = "Link copied."; }
    catch (err) { $("copied").textContent = `Copy this link: ${url}`; }
  }

  /* ---------- tooltips: hover and focus ---------- */

  const tip = $("tip");
  const tips = new WeakMap();
  function attachTip(node, build) {
    tips.set(node, build);
    node.setAttribute("aria-describedby", "tip");
  }
  function showTip(node) {
    const build = tips.get(node);
    if (!build) return;
    tip.replaceChildren(...build());
    tip.hidden = false;
    const r = node.getBoundingClientRect(), w = Math.min(420, window.innerWidth - 16);
    tip.style.width = `${w}px`;
    const left = Math.max(8, Math.min(window.innerWidth - w - 8, r.left));
    const below = r.bottom + 6 + tip.offsetHeight < window.innerHeight;
    tip.style.left = `${left + window.scrollX}px`;
    tip.style.top = `${(below ? r.bottom + 6 : Math.max(8, r.top - 6 - tip.offsetHeight)) + window.scrollY}px`;
  }
  function hideTip() { tip.hidden = true; }
  document.addEventListener("mouseover", (e) => {
    const n = e.target.closest("[aria-describedby=tip]");
    if (n) showTip(n); else if (!e.target.closest("#tip")) hideTip();
  });
  document.addEventListener("focusin", (e) => { const n = e.target.closest("[aria-describedby=tip]"); if (n) showTip(n); else hideTip(); });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") hideTip(); });

  function citations(o) { // each source as "title (retrieved date)" linking to its address
    if (!o.sources.length) return [o.source];
    const out = [];
    o.sources.forEach((s, i) => {
      if (i) out.push("; ");
      out.push(s.url ? el("a", {href: s.url, text: s.title}) : s.title);
      if (s.retrieved) out.push(` (retrieved ${s.retrieved})`);
    });
    return out;
  }

  function provenance(lang, ref, c) {
    const o = OFF.get(ref), lines = [];
    const line = (...parts) => lines.push(el("p", {}, ...parts));
    line(el("strong", {text: label(o)}), ` · ${langName(lang)}`);
    if (c.error) { line(`Not computed: ${c.error}.`); return lines; }
    line(`${money(c.cost)} ${D.currency} per 1M characters of English-equivalent content; ` +
      `${Math.round(c.tokensPer1m).toLocaleString("en")} tokens per 1M English characters (${c.premium.toFixed(2)}x English).`);
    const calibrated = o.calibration[lang];
    line(`Counting: ${o.counting}${calibrated ? `, calibrated for ${langName(lang)}: ${calibrated}` : ""}; ` +
      `tokenizer sha256 ${o.fingerprint.slice(0, 16)}.`);
    const p = o.prices, parts = [`input ${p.input ?? "none"}`, `output ${p.output ?? "none"}`];
    if (p.cached_input != null) parts.push(`cached input ${p.cached_input}`);
    if (p.cache_write != null) parts.push(`cache write ${p.cache_write}`);
    if (p.cache_write_1h != null) parts.push(`1-hour cache write ${p.cache_write_1h}`);
    if (p.batch_input != null) parts.push(`batch ${p.batch_input}/${p.batch_output ?? "none"}`);
    line(`Price entry from ${o.effective_from}: ${parts.join(", ")} ${D.currency} per 1M ${o.unit}s.`);
    for (const [name, how] of Object.entries(o.derived)) line(`${name}: ${how}.`);
    if (o.tiers.length) line(`Long-context tiers above ${o.tiers.map((t) => t.above).join(", ")} prompt tokens.`);
    line(o.fx_rate ? `Billed ${o.billed_input}/${o.billed_output} ${o.billed_currency}, converted at ${o.fx_rate} ` +
      `(rate of ${o.fx_date}, ${D.fx_source}).` : `Billed in ${o.billed_currency}: no conversion.`);
    line("Source: ", ...citations(o), ` (confidence ${o.confidence}).`);
    if (o.note) line(`Note: ${o.note}`);
    for (const n of c.notes) line(`Workload: ${n}.`);
    line(`Corpus ${D.corpus.name} (sha256 ${D.corpus.sha256.slice(0, 16)}), ${c.docs} documents; ` +
      `${describeGenres(state.genres)}.`);
    return lines;
  }

  /* ---------- grids: one tab stop per table, arrow keys inside ---------- */

  function gridKeys(table) {
    table.addEventListener("keydown", (e) => {
      const moves = {ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0], Home: [0, -99], End: [0, 99]};
      if (!(e.key in moves)) return;
      const cellNode = e.target.closest("td,th");
      if (!cellNode) return;
      const rows = [...table.rows], r = rows.indexOf(cellNode.parentElement), c = cellNode.cellIndex;
      const [dr, dc] = moves[e.key];
      const nr = Math.max(0, Math.min(rows.length - 1, r + dr));
      const nc = Math.max(0, Math.min(rows[nr].cells.length - 1, c + dc));
      const next = rows[nr].cells[nc];
      if (next && next !== cellNode) {
        e.preventDefault();
        for (const x of table.querySelectorAll("[tabindex='0']")) x.tabIndex = -1;
        next.tabIndex = 0; next.focus();
      }
    });
  }

  function grid(caption, headers, rows) { // rows: [[th text, [td nodes...]]]
    const table = el("table", {class: "grid"}, el("caption", {class: "sr", text: caption}));
    table.append(el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {scope: "col", tabindex: -1}, h)))));
    const body = el("tbody");
    for (const [head, cells] of rows) body.append(el("tr", {}, el("th", {scope: "row", tabindex: -1, text: head}), ...cells));
    table.append(body);
    const first = table.querySelector("tbody td") || table.querySelector("th");
    if (first) first.tabIndex = 0;
    for (const td of table.querySelectorAll("td")) if (td.tabIndex !== 0) td.tabIndex = -1;
    gridKeys(table);
    return table;
  }

  function offeringHeader(ref) {
    const o = OFF.get(ref);
    return el("span", {title: label(o)}, short(ref), o.exact ? null : el("sup", {text: "est"}),
      ref === state.base ? el("span", {class: "base-mark", text: " (base)"}) : null);
  }

  /* ---------- render ---------- */

  function render() {
    OFF = offeringsAt(state.asOf);
    syncControls();
    filterOfferings();
    const problems = shown.slice();
    const msgs = $("messages");
    msgs.replaceChildren(...problems.map((p) => message(p)));
    const base = OFF.get(state.base);
    const ready = state.langs.length && state.offs.length;
    const names = state.langs.map(langName).join(", "); // mirrors reports.common.title
    $("heading").textContent = `Relative cost of ${state.langs.length && state.langs.length <= 3 ? `${names} text`
      : `${state.langs.length} languages`}, prices as of ${state.asOf}`;
    document.title = $("heading").textContent;
    $("lede").textContent = ready ? `Cost of the same content in ${state.langs.length} language` +
      `${state.langs.length > 1 ? "s" : ""} on ${state.offs.length} offering${state.offs.length > 1 ? "s" : ""}, ` +
      `billed as ${describeWorkload(state.workload)}; prices as of ${state.asOf} in ${D.currency}; documents: ` +
      `${describeGenres(state.genres)}. Base: ${label(base)}.` : "";
    if (base && base.unpriced) msgs.append(message(`The base, ${label(base)}, has ${base.unpriced}: ` +
      "choose another base or another as-of date to see ratios."));
    if (state.asOf !== String(D.as_of)) msgs.append(message(`Prices as of ${state.asOf}, chosen in the page. The ` +
      `caveats listed below are those of the report's date, ${D.as_of}; \`costcalc report --as-of ${state.asOf}\` ` +
      "gives the caveats of this date.", "note"));
    renderSources();
    const empty = !state.langs.length ? "Choose at least one language to see costs."
      : !state.offs.length ? "Choose at least one offering to see costs." : null;
    for (const id of ["cost-table", "ratio-table", "bars", "context-table", "genre-table"]) {
      $(id).replaceChildren(empty ? message(empty, "empty") : "");
    }
    if (empty) return;
    const cells = new Map();
    for (const l of state.langs) for (const r of state.offs) cells.set(`${l}|${r}`, cell(l, r));
    const get = (l, r) => cells.get(`${l}|${r}`);
    renderCosts(get); renderRatios(get); renderBars(get); renderContext(get); renderGenres();
    const failed = [...cells.values()].filter((c) => c.error).length;
    if (failed) msgs.append(message(`${failed} cell${failed > 1 ? "s" : ""} could not be computed: hover over or focus a “n/a” cell to see why.`));
  }

  function renderCosts(get) {
    $("cost-hint").textContent = `In ${D.currency}, billed as ${describeWorkload(state.workload)}. ` +
      "Each cell: what 1M characters of English text, translated into the row's language, cost on the column's offering.";
    const rows = state.langs.map((l) => [langName(l), state.offs.map((r) => {
      const c = get(l, r);
      const td = el("td", {class: "num", "data-language": l, "data-offering": r,
        "data-cost": c.error ? null : String(c.cost)}, c.error ? "n/a" : money(c.cost));
      attachTip(td, () => provenance(l, r, c));
      return td;
    })]);
    $("cost-table").replaceChildren(grid("Cost per 1M characters of English-equivalent content",
      ["language", ...state.offs.map(offeringHeader)], rows));
  }

  function renderRatios(get) {
    $("ratio-hint").textContent = `ratio = cost on the column's offering / cost on ${label(OFF.get(state.base))}, ` +
      "for the same content. Below 1 (green) the offering is cheaper than the base; above 1 (red) dearer.";
    const rows = state.langs.map((l) => [langName(l), state.offs.map((r) => {
      const c = get(l, r), b = get(l, state.base), v = ratio(c, b);
      const td = el("td", {class: "num heat", "data-language": l, "data-offering": r,
        "data-ratio": v === null ? null : String(v)}, v === null ? "n/a" : ratioText(v));
      td.style.background = heatColour(v);
      attachTip(td, () => {
        const o = OFF.get(r), lines = [el("p", {}, el("strong", {text: `${label(o)} vs ${label(OFF.get(state.base))}`}),
          ` · ${langName(l)}`)];
        if (v === null) lines.push(el("p", {text: c.error || b.error ? `Not computed: ${c.error || b.error}.`
          : "Not computed: the base costs nothing here."}));
        else lines.push(el("p", {text: `${ratioText(v)} = ${money(c.cost)} / ${money(b.cost)} ${D.currency} ` +
          `(${v < 1 ? "cheaper than" : v > 1 ? "dearer than" : "the same as"} the base).`}));
        return lines.concat(provenance(l, r, c).slice(1));
      });
      return td;
    })]);
    $("ratio-table").replaceChildren(grid("Cost relative to the base", ["language", ...state.offs.map(offeringHeader)], rows));
  }

  function renderBars(get) {
    const o = OFF.get(state.chart);
    $("bars-hint").textContent = `${label(o)}: cost per 1M characters of English-equivalent content in each ` +
      `language, ${D.currency}. Choose the offering under Chart.`;
    const values = state.langs.map((l) => [l, get(l, state.chart)]);
    const max = Math.max(...values.map(([, c]) => (c.error ? 0 : c.cost)), 0);
    const rows = values.map(([l, c]) => {
      const td = el("td", {class: "bar-cell", "data-language": l, "data-offering": state.chart,
        "data-cost": c.error ? null : String(c.cost)});
      if (c.error) td.append("n/a");
      else {
        const bar = el("span", {class: "bar"});
        bar.style.width = `${max ? (c.cost / max) * 100 : 0}%`;
        td.append(bar, el("span", {class: "bar-value", text: money(c.cost)}));
      }
      attachTip(td, () => provenance(l, state.chart, c));
      return [langName(l), [td]];
    });
    $("bars").replaceChildren(grid(`Cost by language on ${label(o)}`, ["language", `cost (${D.currency})`], rows));
  }

  function renderContext(get) {
    const refs = state.offs.filter((r) => OFF.get(r).context_window);
    $("context-hint").textContent = refs.length ? "Characters of each language a context window holds (window / " +
      "tokens per character of that language), and below it the share of the content it holds relative to English."
      : "None of the offerings shown has a context window in the price tables.";
    if (!refs.length) { $("context-table").replaceChildren(); return; }
    const rows = state.langs.map((l) => [langName(l), refs.map((r) => {
      const c = get(l, r);
      const td = el("td", {class: "num", "data-language": l, "data-offering": r,
        "data-context-chars": c.error ? null : String(c.contextChars),
        "data-context-vs-en": c.error ? null : String(c.contextVsEn)},
      c.error ? "n/a" : `${compact(c.contextChars)} chars`, c.error ? null : el("br"),
      c.error ? null : el("span", {class: "sub", text: `${c.contextVsEn.toFixed(2)}x English`}));
      attachTip(td, () => provenance(l, r, c));
      return td;
    })]);
    $("context-table").replaceChildren(grid("Effective context per language", ["language",
      ...refs.map((r) => el("span", {}, offeringHeader(r), el("br"), el("span", {class: "sub",
        text: `${compact(OFF.get(r).context_window)} tokens`})))], rows));
  }

  function renderGenres() {
    const o = OFF.get(state.chart), t = o.tokenizer, w = state.genres;
    $("genre-table-hint").textContent = `Tokens of each corpus document relative to its English original under ` +
      `${t} (the tokenizer of ${label(o)}); the last column weights them as chosen under Genres.`;
    const rows = state.langs.map((l) => {
      const docs = sharedDocs(l), toks = D.tokens[t][l], en = D.tokens[t][D.reference];
      const cells = GENRES.map((g) => el("td", {class: "num" + (w && w[g] ? " weighted" : ""), "data-language": l,
        "data-genre": g, "data-premium": docs.includes(g) ? String(toks[g] / en[g]) : null},
      docs.includes(g) ? (toks[g] / en[g]).toFixed(2) : "n/a"));
      const c = cell(l, state.chart);
      cells.push(el("td", {class: "num", "data-language": l, "data-genre": "weighted",
        "data-premium": c.error ? null : String(c.premium)}, c.error ? "n/a" : c.premium.toFixed(2)));
      return [langName(l), cells];
    });
    $("genre-table").replaceChildren(grid("Premium by genre", ["language", ...D.genres.map((g) =>
      el("span", {title: g.description}, g.id)), "as weighted"], rows));
  }

  function renderStatic() {
    const caveats = D.caveats || [];
    $("caveats").replaceChildren(...caveats.map((c) => el("li", {text: c})));
    $("caveats-section").hidden = !caveats.length;
  }

  function renderSources() { // the price entries in force on the chosen date
    const li = (...parts) => el("li", {}, ...parts);
    const items = [
      li(`Price table ${D.price_table}; prices in force on ${state.asOf}, in ${D.currency} (${D.fx_source}).`),
      li(`Corpus ${D.corpus.name}, ${D.corpus.languages} languages, ${D.corpus.documents} documents, sha256 ` +
        `${D.corpus.sha256.slice(0, 16)}; ${D.content_unit}; ${D.counting_protocol}.`),
      li(`Genres: ${D.genres.map((g) => `${g.id} (${g.description})`).join("; ")}. Default weighting: ${D.genre_default}.`),
    ];
    for (const gone of D.left_out) items.push(li(`Left out: ${gone.offering}: ${gone.reason}.`));
    for (const o of OFF.values()) {
      if (o.unpriced) { items.push(li(`${o.ref}: ${o.unpriced}.`)); continue; }
      items.push(li(`${o.ref}: ${o.billed_input}/${o.billed_output} ${o.billed_currency} per 1M ${o.unit}s from ` +
        `${o.effective_from}${o.fx_rate ? `; ${o.prices.input}/${o.prices.output} ${D.currency} at ${o.fx_rate} ` +
        `(${o.fx_date})` : ""}; source: `,
      ...citations(o), ` (confidence ${o.confidence}). Counting: ${o.counting}.`));
    }
    $("sources").replaceChildren(...items);
  }

  function load() {
    const {s, ignored} = fromHash(location.hash);
    state = s;
    shown = ignored.length ? [`Ignored from the link: ${ignored.join("; ")}.`] : [];
    render();
  }

  buildControls();
  renderStatic();
  // On a narrow screen the results come first; the settings open with one tap.
  if (window.matchMedia("(max-width: 60rem)").matches) $("settings").open = false;
  window.addEventListener("hashchange", load);
  load();
})();
