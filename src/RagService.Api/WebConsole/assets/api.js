// Calls the service with the signed-in key and turns every RFC 7807 problem detail into a sentence a person understands.
import { t } from './i18n.js';

const KEY = 'rag.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set key(value) {
    if (value) {
      sessionStorage.setItem(KEY, value);
    } else {
      sessionStorage.removeItem(KEY);
    }
  },
};

/** An API failure: status, the problem detail (if any) and the human message. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(describe(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

/** The words shown for a failed request: what kind of failure, then the service's own detail. */
export function describe(status, problem) {
  if (status === 0) {
    return t('err.network');
  }
  const detail = problem?.detail || problem?.title || '';
  const errors = problem?.errors ? Object.values(problem.errors).flat().join(' ') : '';
  const args = { status, detail: [detail, errors].filter(Boolean).join(' ') };
  const known = ['400', '401', '403', '404', '409', '413', '415', '422', '429', '502', '503', '504'];
  return t(known.includes(String(status)) ? `err.${status}` : 'err.other', args).trim();
}

function headers(extra = {}) {
  const h = { ...extra };
  if (session.key) {
    h['X-Api-Key'] = session.key;
  }
  return h;
}

async function failure(response) {
  let problem = null;
  try {
    problem = await response.json();
  } catch {
    problem = null;
  }
  return new ApiError(response.status, problem);
}

/** JSON request; resolves to the parsed body (null for 204), rejects with ApiError. */
export async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    throw await failure(response);
  }
  return response.status === 204 ? null : response.json();
}

/**
 * Upload with progress (fetch cannot report upload progress, XMLHttpRequest can): multipart field "file", or, given
 * rawType, the file itself as the body with that Content-Type (a sync archive).
 */
export function upload(path, file, onProgress, rawType = null) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [name, value] of Object.entries(headers())) {
      xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = e => onProgress(e.lengthComputable ? e.loaded / e.total : 0);
    xhr.upload.onload = () => onProgress(1);
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body);
      } else {
        reject(new ApiError(xhr.status, body));
      }
    };
    if (rawType) {
      xhr.setRequestHeader('Content-Type', rawType);
      xhr.send(file);
      return;
    }
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/**
 * POSTs and reads server-sent events (EventSource cannot POST or send headers). Calls onEvent(name, data) per event.
 * A failure before the stream starts is an ordinary problem detail and rejects with ApiError.
 */
export async function stream(path, body, onEvent, signal) {
  let response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
      body: JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    throw await failure(response);
  }
  if (!(response.headers.get('Content-Type') || '').includes('text/event-stream')) {
    onEvent('done', await response.json());
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) {
          name = line.slice(6).trim();
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).trimStart());
        }
      }
      onEvent(name, data.length ? JSON.parse(data.join('\n')) : null);
    }
  }
}
