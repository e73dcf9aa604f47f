/**
 * A HAR file (HTTP Archive 1.2, what Chromium, Firefox, Playwright and recording proxies write) read into
 * the few fields the import uses. Plain types rather than a library: har-validator and har-schema (the
 * registry's HAR validators) are unmaintained and bring ajv 6; @types/har-format has the same shapes as
 * these (types only). A malformed file is one line naming the file, the field and what was expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { inputError } from '../errors.js';

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  pageref?: string;
  /** ISO 8601 date of the request's start. */
  startedDateTime: string;
  /** Total time of the request in ms (HAR: `time`). */
  time: number;
  request: {
    method: string;
    url: string;
    headers: HarNameValue[];
    postData?: { mimeType?: string; text?: string; params?: HarNameValue[] };
  };
  response: {
    status: number;
    headers: HarNameValue[];
    content: { mimeType?: string; text?: string; encoding?: string };
    redirectURL?: string;
  };
  /** Chromium's DevTools export: document, script, stylesheet, image, font, xhr, fetch, preflight… */
  _resourceType?: string;
}

export interface HarPage {
  id: string;
  title: string;
  startedDateTime: string;
}

export interface Har {
  creator?: string;
  pages: HarPage[];
  entries: HarEntry[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function nameValues(file: string, field: string, v: unknown, required: boolean): HarNameValue[] {
  if (v === undefined && !required) return [];
  if (!Array.isArray(v)) throw inputError(file, field, 'a list of { name, value } objects');
  return v.map((h, i) => {
    if (!isObj(h) || typeof h.name !== 'string' || typeof h.value !== 'string') throw inputError(file, `${field}[${i}]`, 'a { name, value } object with two strings');
    return { name: h.name, value: h.value };
  });
}

function entryOf(file: string, e: unknown, i: number): HarEntry {
  const at = `log.entries[${i}]`;
  if (!isObj(e)) throw inputError(file, at, 'an entry object (request, response, startedDateTime, time)');
  if (typeof e.startedDateTime !== 'string' || Number.isNaN(Date.parse(e.startedDateTime))) throw inputError(file, `${at}.startedDateTime`, `an ISO 8601 date (found ${JSON.stringify(e.startedDateTime ?? null)})`);
  if (typeof e.time !== 'number' || !Number.isFinite(e.time)) throw inputError(file, `${at}.time`, `a number of milliseconds (found ${JSON.stringify(e.time ?? null)})`);
  const req = e.request;
  if (!isObj(req)) throw inputError(file, `${at}.request`, 'a request object (method, url, headers)');
  if (typeof req.method !== 'string' || !/^[A-Za-z]+$/.test(req.method)) throw inputError(file, `${at}.request.method`, `an HTTP method (found ${JSON.stringify(req.method ?? null)})`);
  if (typeof req.url !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(req.url)) throw inputError(file, `${at}.request.url`, `an absolute URL (found ${JSON.stringify(req.url ?? null)})`);
  const res = e.response;
  if (!isObj(res)) throw inputError(file, `${at}.response`, 'a response object (status, headers, content)');
  if (typeof res.status !== 'number') throw inputError(file, `${at}.response.status`, `a number (found ${JSON.stringify(res.status ?? null)})`);
  const content = res.content === undefined ? {} : res.content;
  if (!isObj(content)) throw inputError(file, `${at}.response.content`, 'an object (mimeType, text)');
  const post = req.postData;
  if (post !== undefined && !isObj(post)) throw inputError(file, `${at}.request.postData`, 'an object (mimeType, text or params)');
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    pageref: str(e.pageref),
    startedDateTime: e.startedDateTime,
    time: Math.max(0, e.time),
    request: {
      method: req.method.toUpperCase(),
      url: req.url,
      headers: nameValues(file, `${at}.request.headers`, req.headers, true),
      ...(post ? { postData: { mimeType: str(post.mimeType), text: str(post.text), params: Array.isArray(post.params) ? nameValues(file, `${at}.request.postData.params`, post.params.map((p: unknown) => (isObj(p) ? { name: p.name, value: p.value ?? '' } : p)), false) : undefined } } : {}),
    },
    response: {
      status: res.status,
      headers: nameValues(file, `${at}.response.headers`, res.headers, false),
      content: { mimeType: str(content.mimeType), text: str(content.text), encoding: str(content.encoding) },
      redirectURL: str(res.redirectURL),
    },
    _resourceType: str(e._resourceType),
  };
}

/** A HAR document (already parsed) → the import's plain data; `file` names it in errors. Pure. */
export function harFromJson(file: string, doc: unknown): Har {
  if (!isObj(doc) || !isObj(doc.log)) throw inputError(file, 'log', 'a HAR document: an object with a "log" object (HTTP Archive 1.2)');
  const log = doc.log;
  if (!Array.isArray(log.entries)) throw inputError(file, 'log.entries', 'a list of recorded requests');
  const pagesRaw = log.pages === undefined ? [] : log.pages;
  if (!Array.isArray(pagesRaw)) throw inputError(file, 'log.pages', 'a list of pages');
  const pages = pagesRaw.map((p: unknown, i: number) => {
    if (!isObj(p) || typeof p.id !== 'string') throw inputError(file, `log.pages[${i}].id`, 'a page id (string)');
    return { id: p.id, title: typeof p.title === 'string' ? p.title : '', startedDateTime: typeof p.startedDateTime === 'string' ? p.startedDateTime : '' };
  });
  const creator = isObj(log.creator) && typeof log.creator.name === 'string' ? `${log.creator.name}${typeof log.creator.version === 'string' ? ` ${log.creator.version}` : ''}` : undefined;
  return { creator, pages, entries: log.entries.map((e: unknown, i: number) => entryOf(file, e, i)) };
}

export function readHar(file: string): Har {
  if (!existsSync(file)) throw inputError(file, '', 'a HAR file (the file does not exist)');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw inputError(file, '', `a HAR file in JSON (${(error as Error).message.split('\n')[0]})`);
  }
  return harFromJson(file, doc);
}

/** A response's body as text (HAR keeps binary content base64-encoded). */
export function responseText(e: HarEntry): string | undefined {
  const c = e.response.content;
  if (c.text === undefined) return undefined;
  return c.encoding === 'base64' ? Buffer.from(c.text, 'base64').toString('utf8') : c.text;
}

export const headerOf = (headers: readonly HarNameValue[], name: string): string | undefined => headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
