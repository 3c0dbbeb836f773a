// The web console: sign in with an API key, ask with streamed answers and cited sources, inspect the retrieval,
// manage knowledge bases. Plain ES modules, no build step; everything comes from this service.
import { api, upload, stream, session, ApiError } from './api.js';
import { t, apply, language, setLanguage } from './i18n.js';

const $ = id => document.getElementById(id);
const ROLE_RANK = { reader: 1, writer: 2, admin: 3 };
const JOB_POLL_MS = 1000;
const IDLE_JOB_POLL_TICKS = 5;
const state = { role: null, selected: null, lastAsk: null, askAbort: null, jobTimer: null };

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'class') {
      node.className = value;
    } else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (name.startsWith('on')) {
      node.addEventListener(name.slice(2), value);
    } else if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(name, value === true ? '' : value);
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

function showAlert(error, kind = 'error') {
  const box = $('alert');
  box.textContent = error instanceof Error ? error.message : String(error);
  box.className = `alert ${kind}`;
  box.hidden = false;
}

function clearAlert() {
  $('alert').hidden = true;
}

/** Runs an action, showing its failure as the problem detail in words. */
async function attempt(action) {
  try {
    clearAlert();
    return await action();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && session.key) {
      signOut();
    }
    showAlert(e);
    return undefined;
  }
}

function can(role) {
  return (ROLE_RANK[state.role] ?? 0) >= ROLE_RANK[role];
}

function formatDate(value) {
  return value ? new Date(value).toLocaleString(language() === 'zh' ? 'zh-CN' : 'en') : '';
}

function formatBytes(n) {
  if (n === undefined || n === null) {
    return '';
  }
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function num(value, digits = 4) {
  return value === null || value === undefined ? '–' : (Number.isInteger(value) ? String(value) : value.toFixed(digits));
}

const enc = encodeURIComponent;

// ---------- sign in / out ----------

async function signIn(key) {
  session.key = key;
  try {
    const me = await api('GET', '/v1/whoami');
    state.role = me.role;
    $('who').textContent = t('signin.as', { client: me.client, role: me.role });
    $('who').dataset.role = me.role;
    for (const node of document.querySelectorAll('.admin-only')) {
      node.hidden = !can('admin');
    }
    for (const node of document.querySelectorAll('.writer-only')) {
      node.hidden = !can('writer');
    }
    $('view-signin').hidden = true;
    $('nav').hidden = false;
    $('signout').hidden = false;
    show('ask');
    await loadCollections();
  } catch (e) {
    session.key = null;
    showAlert(e);
  }
}

function signOut() {
  session.key = null;
  state.role = null;
  state.selected = null;
  state.lastAsk = null;
  state.askAbort?.abort();
  stopJobPolling();
  for (const id of ['answer', 'sources', 'kb-list', 'uploads', 'jobs', 'chunks', 'ask-status', 'who']) {
    $(id).textContent = '';
  }
  for (const id of ['view-ask', 'view-kb', 'nav', 'signout', 'inspector', 'kb-detail', 'prompt-box', 'open-inspector']) {
    $(id).hidden = true;
  }
  $('apikey').value = '';
  $('view-signin').hidden = false;
  $('apikey').focus();
}

function show(view) {
  for (const name of ['ask', 'kb']) {
    $(`view-${name}`).hidden = name !== view;
    const tab = $(`tab-${name}`);
    if (name === view) {
      tab.setAttribute('aria-current', 'page');
    } else {
      tab.removeAttribute('aria-current');
    }
  }
  if (view === 'kb') {
    startJobPolling();
  } else {
    stopJobPolling();
  }
}

// ---------- knowledge bases ----------

async function loadCollections() {
  const collections = await attempt(() => api('GET', '/v1/collections'));
  if (!collections) {
    return;
  }
  const select = $('ask-collection');
  const previous = select.value;
  select.replaceChildren(...collections.map(c => el('option', { value: c.name }, c.name)));
  if (collections.some(c => c.name === previous)) {
    select.value = previous;
  }
  const list = $('kb-list');
  list.replaceChildren(...collections.map(c => el('li', {},
    el('button', { type: 'button', class: 'link', dataset: { collection: c.name }, 'aria-current': c.name === state.selected ? 'true' : null,
      onclick: () => openCollection(c.name) }, c.name))));
  if (collections.length === 0) {
    list.append(el('li', { class: 'muted' }, t('kb.empty')));
  }
  if (state.selected && !collections.some(c => c.name === state.selected)) {
    state.selected = null;
    $('kb-detail').hidden = true;
  }
}

async function openCollection(name) {
  state.selected = name;
  for (const b of $('kb-list').querySelectorAll('button')) {
    b.toggleAttribute('aria-current', b.dataset.collection === name);
  }
  $('kb-detail').hidden = false;
  $('kb-detail-title').textContent = name;
  $('uploads').replaceChildren();
  $('chunks-box').hidden = true;
  await refreshDetail();
}

async function refreshDetail() {
  const name = state.selected;
  if (!name) {
    return;
  }
  const [stats, docs] = await Promise.all([
    attempt(() => api('GET', `/v1/collections/${enc(name)}`)),
    attempt(() => api('GET', `/v1/collections/${enc(name)}/documents?limit=1000`)),
  ]);
  if (stats) {
    renderStats(stats);
  }
  if (docs) {
    renderDocuments(docs);
  }
  await refreshJobs();
}

function renderStats(s) {
  const engines = [s.bm25 && `BM25 ${s.bm25.engine}`, s.vectorIndex && `${t('stats.vectors')} ${s.vectorIndex.engine}`].filter(Boolean).join(', ');
  // Model fit and fusion calibration are reported by services that compute them; older ones leave them out.
  const modelFit = s.modelFit ?? s.fit;
  const fusion = s.fusion ?? s.calibration ?? s.fusionCalibration;
  const rows = [
    ['stats.documents', s.documents], ['stats.chunks', s.chunks], ['stats.bytes', formatBytes(s.chunkTextBytes)],
    ['stats.engines', engines || '–'], ['stats.vectors', s.vectorIndex ? `${s.vectors} (${formatBytes(s.vectorBytes)})` : '–'],
    ['stats.analyzer', s.settings?.analyzer ?? '–'], ['stats.chunking', s.settings ? `${s.settings.chunking} ${s.settings.chunkSize}/${s.settings.chunkOverlap}` : '–'],
    ['stats.modelfit', modelFit ? JSON.stringify(modelFit) : t('stats.none')], ['stats.fusion', fusion ? JSON.stringify(fusion) : t('stats.none')],
  ];
  $('kb-stats').replaceChildren(...rows.map(([key, value]) => el('div', {}, el('dt', {}, t(key)), el('dd', { dataset: { stat: key } }, value ?? '–'))));
}

function renderDocuments(docs) {
  const body = $('docs').tBodies[0];
  if (docs.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, t('kb.nodocs'))));
    return;
  }
  body.replaceChildren(...docs.map(d => el('tr', { dataset: { document: d.id } },
    el('td', {}, el('button', { type: 'button', class: 'link open-doc', onclick: () => openDocument(d) }, d.title || d.id),
      d.title && d.title !== d.id ? el('div', { class: 'muted small' }, d.id) : null),
    el('td', {}, d.format), el('td', {}, d.chunks), el('td', {}, formatDate(d.updatedAt)),
    el('td', {}, can('writer')
      ? el('button', { type: 'button', class: 'danger small delete-doc', 'aria-label': `${t('kb.deletedoc')} ${d.title || d.id}`, onclick: () => deleteDocument(d) }, t('kb.deletedoc'))
      : null))));
}

async function openDocument(d) {
  const chunks = await attempt(() => api('GET', `/v1/collections/${enc(state.selected)}/chunks?documentId=${enc(d.id)}&limit=1000`));
  if (!chunks) {
    return;
  }
  $('chunks-title').textContent = t('kb.chunksof', { name: d.title || d.id });
  $('chunks').replaceChildren(...chunks.map(c => el('li', {},
    el('div', { class: 'muted small' }, [c.headingPath.join(' › '), c.page ? `${t('ask.page')} ${c.page}` : null].filter(Boolean).join(' · ')),
    el('p', { class: 'chunk-text' }, c.text))));
  $('chunks-box').hidden = false;
  $('chunks-title').scrollIntoView({ block: 'nearest' });
}

function confirmAction(text) {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  return new Promise(resolve => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = 'cancel';
    dialog.showModal();
    $('confirm-cancel').focus();
  });
}

async function deleteDocument(d) {
  if (!(await confirmAction(t('kb.confirmdeletedoc', { name: d.title || d.id })))) {
    return;
  }
  const done = await attempt(async () => {
    await api('DELETE', `/v1/collections/${enc(state.selected)}/documents/${d.id.split('/').map(enc).join('/')}`);
    return true;
  });
  if (done) {
    showAlert(t('kb.deleted', { name: d.title || d.id }), 'info');
    $('chunks-box').hidden = true;
    await refreshDetail();
  }
}

/** The service's rule for collection names (RequestMapping.ValidCollectionName): checked here so the form can say it. */
const collectionName = /^[a-z0-9][a-z0-9_-]{0,63}$/;

async function createCollection(name) {
  const error = $('kb-name-error');
  error.hidden = collectionName.test(name);
  if (!error.hidden) {
    error.textContent = t('kb.badname');
    $('kb-new-name').focus();
    return;
  }
  const created = await attempt(() => api('POST', '/v1/collections', { name }));
  if (created) {
    $('kb-new-name').value = '';
    showAlert(t('kb.created', { name: created.name }), 'info');
    await loadCollections();
    await openCollection(created.name);
  }
}

async function deleteCollection() {
  const name = state.selected;
  if (!name || !(await confirmAction(t('kb.confirmdelete', { name })))) {
    return;
  }
  const done = await attempt(async () => {
    await api('DELETE', `/v1/collections/${enc(name)}`);
    return true;
  });
  if (done) {
    state.selected = null;
    $('kb-detail').hidden = true;
    showAlert(t('kb.deleted', { name }), 'info');
    await loadCollections();
  }
}

async function uploadFiles(files) {
  const collection = state.selected;
  if (!collection || files.length === 0) {
    return;
  }
  const items = [...files].map(file => {
    const bar = el('progress', { max: 100, value: 0, 'aria-label': file.name });
    const status = el('span', { class: 'upload-status' }, t('kb.uploading', { pct: 0 }));
    const li = el('li', { dataset: { file: file.name, state: 'uploading' } }, el('span', { class: 'file-name' }, file.name), bar, status);
    $('uploads').append(li);
    return { file, bar, status, li };
  });
  // One at a time: the service ingests synchronously, and a 2-core box would gain nothing from parallel uploads.
  for (const item of items) {
    const archive = archiveType(item.file.name);
    const path = archive ? `/v1/collections/${enc(collection)}/sync` : `/v1/collections/${enc(collection)}/documents/upload`;
    try {
      const result = await upload(path, item.file, fraction => {
        item.bar.value = Math.round(fraction * 100);
        item.status.textContent = fraction >= 1 ? t('kb.processing') : t('kb.uploading', { pct: Math.round(fraction * 100) });
      }, archive);
      item.bar.value = 100;
      item.status.textContent = archive
        ? t('kb.syncjob', { state: result.state, id: result.id })
        : t('kb.uploaded', { status: result.status, chunks: result.chunks });
      item.li.dataset.state = 'done';
      if (archive) {
        item.li.dataset.job = result.id;
        state.jobsActive = result.state === 'queued' || result.state === 'running';
        await refreshJobs();
      }
    } catch (e) {
      item.status.textContent = t('kb.failed', { detail: e.message });
      item.li.dataset.state = 'failed';
      item.li.classList.add('failed');
    }
  }
  await refreshDetail();
}

/** A .zip or .tar.gz is a folder to sync (a job, documents named by their paths); anything else is one document. */
function archiveType(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip')) {
    return 'application/zip';
  }
  return lower.endsWith('.tar.gz') || lower.endsWith('.tgz') ? 'application/gzip' : null;
}

async function refreshJobs() {
  if (!state.selected) {
    return [];
  }
  const jobs = await api('GET', `/v1/jobs?collection=${enc(state.selected)}&limit=10`).catch(() => null);
  if (!jobs) {
    return [];
  }
  const list = $('jobs');
  list.replaceChildren(...jobs.map(j => el('li', { dataset: { job: j.id, state: j.state } },
    el('div', {}, t('job.progress', { kind: j.kind, state: j.state, stage: j.stage, done: j.progress.done, total: j.progress.total })),
    el('progress', { max: Math.max(1, j.progress.total), value: j.progress.done, 'aria-label': j.id }),
    j.error ? el('div', { class: 'error-text' }, j.error) : null,
    (j.failed ?? []).length ? el('ul', {}, j.failed.map(f => el('li', { class: 'error-text' }, `${f.path}: ${f.error}`))) : null)));
  if (jobs.length === 0) {
    list.append(el('li', { class: 'muted' }, t('kb.nojobs')));
  }
  return jobs;
}

function startJobPolling() {
  stopJobPolling();
  let busy = false;
  let ticks = 0;
  state.jobTimer = setInterval(async () => {
    // Every tick while a job runs (live progress); otherwise every IDLE_JOB_POLL_TICKS ticks, to notice new jobs.
    ticks++;
    if (busy || !state.selected || (!state.jobsActive && ticks % IDLE_JOB_POLL_TICKS !== 0)) {
      return;
    }
    busy = true;
    try {
      const jobs = await refreshJobs();
      if (jobs.some(j => j.state === 'running' || j.state === 'queued')) {
        state.jobsActive = true;
      } else if (state.jobsActive) {
        state.jobsActive = false;
        await refreshDetail();
      }
    } finally {
      busy = false;
    }
  }, JOB_POLL_MS);
}

function stopJobPolling() {
  clearInterval(state.jobTimer);
  state.jobTimer = null;
}

// ---------- ask ----------

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** The highlighted passage: the snippet's <em> marks survive, everything else is text. */
function highlighted(snippet, text) {
  const span = el('span', { class: 'passage' });
  if (!snippet) {
    span.textContent = text;
    return span;
  }
  const parts = snippet.split(/(<em>|<\/em>)/);
  let mark = false;
  for (const part of parts) {
    if (part === '<em>') {
      mark = true;
    } else if (part === '</em>') {
      mark = false;
    } else if (part) {
      span.append(mark ? el('mark', {}, part) : document.createTextNode(part));
    }
  }
  return span;
}

function renderSources(sources) {
  const list = $('sources');
  if (sources.length === 0) {
    list.replaceChildren(el('li', { class: 'muted' }, t('ask.nosources')));
    return;
  }
  list.replaceChildren(...sources.map((s, i) => el('li', { id: `source-${i + 1}`, class: 'source', dataset: { document: s.documentId } },
    el('details', {},
      el('summary', {}, el('span', { class: 'num' }, `[${i + 1}]`), ' ', el('span', { class: 'source-title' }, s.title || s.documentId)),
      el('dl', { class: 'source-meta' },
        el('dt', {}, t('ask.document')), el('dd', {}, s.documentId),
        s.citation ? [el('dt', {}, t('ask.section')), el('dd', { class: 'citation' }, s.citation)] : null,
        s.page ? [el('dt', {}, t('ask.page')), el('dd', {}, pageRange(s))] : null,
        s.updatedAt ? [el('dt', {}, t('ask.updated')), el('dd', {}, formatDate(s.updatedAt))] : null,
        s.context ? [el('dt', {}, t('ask.assembled')), el('dd', { class: 'assembled' }, assembly(s.context))] : null),
      // A grown or merged source shows all of its text, marked with the terms its best hit's snippet marked.
      el('blockquote', {}, s.context && s.context.chunkIds.length > 1 ? markedTerms(s.snippet, s.text) : highlighted(s.snippet, s.text))))));
}

/** The text with every occurrence of the snippet's <em> terms in <mark>. */
function markedTerms(snippet, text) {
  const terms = [...new Set([...(snippet ?? '').matchAll(/<em>(.*?)<\/em>/g)].map(m => m[1]).filter(Boolean))];
  const span = el('span', { class: 'passage' });
  if (terms.length === 0) {
    span.textContent = text;
    return span;
  }
  const pattern = new RegExp(`(${terms.sort((a, b) => b.length - a.length).map(t => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  text.split(pattern).forEach((part, i) => {
    if (part) {
      span.append(i % 2 === 1 ? el('mark', {}, part) : document.createTextNode(part));
    }
  });
  return span;
}

/** "3" or "3–5" for a source spanning pages. */
function pageRange(s) {
  const last = s.context?.lastPage;
  return last && last !== s.page ? `${s.page}–${last}` : `${s.page}`;
}

/** What a source is made of: which hits (merged when several), how many neighbouring chunks were added, its tokens. */
function assembly(c) {
  const parts = [t(c.merged ? 'ask.merged' : 'ask.hit', { ranks: c.hitRanks.map(r => `#${r}`).join(' + ') })];
  if (c.expanded) {
    parts.push(t('ask.expanded', { n: c.expandedChunkIds.length }));
  }
  parts.push(t('ask.tokens', { n: c.tokens }));
  return parts.join(' · ');
}

/** The answer with each [n] a link that opens source card n. */
function renderAnswer(text, sourceCount) {
  const box = $('answer');
  box.replaceChildren();
  for (const part of text.split(/(\[\d+\])/)) {
    const m = /^\[(\d+)\]$/.exec(part);
    if (m && Number(m[1]) >= 1 && Number(m[1]) <= sourceCount) {
      box.append(el('a', { href: `#source-${m[1]}`, class: 'cite', dataset: { source: m[1] }, onclick: e => openSource(e, Number(m[1])) }, part));
    } else if (part) {
      box.append(document.createTextNode(part));
    }
  }
}

function openSource(event, n) {
  event.preventDefault();
  const card = $(`source-${n}`);
  for (const other of document.querySelectorAll('.source.selected')) {
    other.classList.remove('selected');
  }
  card.classList.add('selected');
  const details = card.querySelector('details');
  details.open = true;
  card.scrollIntoView({ block: 'nearest' });
  details.querySelector('summary').focus();
}

async function ask(question) {
  const collection = $('ask-collection').value;
  if (!collection) {
    showAlert(t('ask.nocollection'));
    return;
  }
  state.askAbort?.abort();
  const abort = new AbortController();
  state.askAbort = abort;
  state.lastAsk = { collection, question };
  clearAlert();
  const answer = $('answer');
  answer.replaceChildren();
  answer.className = 'answer';
  answer.dataset.tokens = '0';
  answer.dataset.state = 'running';
  $('sources').replaceChildren();
  labelSources('ask.sources');
  $('prompt-box').hidden = true;
  $('open-inspector').hidden = true;
  $('inspector').hidden = true;
  $('ask-status').textContent = t('ask.thinking');
  $('ask-submit').disabled = true;
  let text = '';
  try {
    await stream(`/v1/collections/${enc(collection)}/ask`, { question, stream: true }, (name, data) => {
      if (name === 'token') {
        text += data.text;
        answer.textContent = text;
        answer.dataset.tokens = String(Number(answer.dataset.tokens) + 1);
        $('ask-status').textContent = t('ask.streaming');
      } else if (name === 'done') {
        finishAnswer(data, text);
      } else if (name === 'error') {
        answer.dataset.state = 'error';
        answer.append(el('p', { class: 'error-text llm-error' }, t('ask.llmerror', { detail: new ApiError(data.status, data).message })));
        $('ask-status').textContent = '';
      }
    }, abort.signal);
  } catch (e) {
    if (e.name !== 'AbortError') {
      answer.dataset.state = 'error';
      answer.replaceChildren(el('p', { class: 'error-text llm-error' }, e.message));
      $('ask-status').textContent = '';
    }
  } finally {
    $('ask-submit').disabled = false;
  }
}

/** Names the sources list: the sources of the answer, or on "not found" the closest passages the floor rejected. */
function labelSources(key) {
  const title = $('sources-title');
  title.dataset.i18n = key;
  title.textContent = t(key);
}

function finishAnswer(response, streamed) {
  const answer = $('answer');
  // "skipped": the relevance floor found nothing relevant, so the LLM was not called ("not found").
  const notFound = response.llm === 'skipped';
  renderSources(response.sources);
  labelSources(notFound ? 'ask.closest' : 'ask.sources');
  $('prompt').textContent = `${response.prompt.system}\n\n${response.prompt.user}`;
  const summary = $('prompt-summary');
  summary.dataset.i18n = response.llm === 'not configured' || notFound ? 'ask.promptunsent' : 'ask.prompt';
  summary.textContent = t(summary.dataset.i18n);
  $('prompt-box').open = false;
  $('prompt-box').hidden = false;
  if (response.llm === 'not configured') {
    answer.replaceChildren(el('p', { class: 'notice' }, t('ask.nollm')));
  } else {
    renderAnswer(response.answer ?? streamed, response.sources.length);
    if (response.llm === 'skipped') {
      answer.prepend(el('p', { class: 'notice not-found' }, t('ask.notfound')));
    }
  }
  answer.dataset.state = 'done';
  answer.dataset.llm = response.llm;
  $('ask-status').textContent = t('ask.done', { ms: Math.round(response.totalMilliseconds), mode: response.mode });
  $('open-inspector').hidden = false;
  $('insp-mode').value = response.requestedMode;
}

// ---------- retrieval inspector ----------

async function inspect() {
  const last = state.lastAsk;
  if (!last) {
    return;
  }
  const rerank = $('insp-rerank').value;
  const body = {
    query: last.question, mode: $('insp-mode').value, fusion: $('insp-fusion').value, explain: true,
    rerank: rerank === '' ? null : rerank === 'true',
  };
  $('inspector').hidden = false;
  $('insp-summary').textContent = t('ask.thinking');
  $('inspector').dataset.state = 'running';
  const result = await attempt(() => api('POST', `/v1/collections/${enc(last.collection)}/search`, body));
  if (!result) {
    $('insp-summary').textContent = '';
    return;
  }
  $('insp-summary').textContent = t('insp.summary', {
    query: result.query, requested: result.requestedMode, mode: result.mode, count: result.candidates.length, ms: Math.round(result.totalMilliseconds),
  });
  $('insp-stages').tBodies[0].replaceChildren(...result.stages.map(s => el('tr', { dataset: { stage: s.stage, status: s.status } },
    el('th', { scope: 'row' }, s.stage), el('td', {}, s.status), el('td', {}, s.candidates), el('td', {}, s.milliseconds.toFixed(2)),
    el('td', {}, s.engine ?? ''), el('td', { class: 'small' }, s.detail ?? ''))));
  $('insp-candidates').tBodies[0].replaceChildren(...result.candidates.map(c => el('tr', { class: c.finalRank ? 'returned' : '', dataset: { chunk: c.chunkId } },
    el('td', {}, c.finalRank ?? '–'), el('td', {}, c.fusedRank),
    el('td', { class: 'small' }, el('strong', {}, c.title || c.documentId || ''), c.page ? ` (${t('ask.page')} ${c.page})` : '', el('div', {}, c.preview ?? '')),
    el('td', { class: 'bm25-rank' }, num(c.scores.bm25Rank)), el('td', {}, num(c.scores.bm25)),
    el('td', { class: 'dense-rank' }, num(c.scores.denseRank)), el('td', {}, num(c.scores.dense)),
    el('td', {}, num(c.scores.fusion)), el('td', {}, num(c.scores.neighbourhood)), el('td', {}, num(c.scores.rerank)))));
  $('inspector').dataset.state = 'done';
  $('inspector').dataset.mode = result.mode;
}

// ---------- wiring ----------

function wire() {
  $('lang').value = language();
  $('lang').addEventListener('change', e => {
    setLanguage(e.target.value);
    if (state.role) {
      loadCollections();
    }
  });
  $('signin-form').addEventListener('submit', e => {
    e.preventDefault();
    signIn($('apikey').value.trim());
  });
  $('signout').addEventListener('click', signOut);
  $('tab-ask').addEventListener('click', () => show('ask'));
  $('tab-kb').addEventListener('click', () => show('kb'));
  $('ask-form').addEventListener('submit', e => {
    e.preventDefault();
    ask($('question').value.trim());
  });
  $('question').addEventListener('keydown', e => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      $('ask-form').requestSubmit();
    }
  });
  $('open-inspector').addEventListener('click', inspect);
  $('insp-form').addEventListener('submit', e => {
    e.preventDefault();
    inspect();
  });
  $('kb-create-form').addEventListener('submit', e => {
    e.preventDefault();
    createCollection($('kb-new-name').value.trim());
  });
  $('kb-delete').addEventListener('click', deleteCollection);
  $('file-input').addEventListener('change', e => {
    uploadFiles(e.target.files).then(() => {
      e.target.value = '';
    });
  });
  const zone = $('dropzone');
  zone.addEventListener('dragover', e => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', e => {
    e.preventDefault();
    zone.classList.remove('over');
    uploadFiles(e.dataTransfer.files);
  });
}

apply();
wire();
if (session.key) {
  signIn(session.key);
}
