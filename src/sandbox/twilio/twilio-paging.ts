// The two paging formats: v2010 `*_uri` (relative) and trunking v1 `meta` (absolute URLs, key).
// PageSize 1..1000 (default 50), Page, and PageToken (ours encodes the offset, opaque to clients).
import { invalidParam } from './twilio-format.js';

export interface PageRequest {
  page: number;
  pageSize: number;
  offset: number;
}

export function parsePaging(query: URLSearchParams): PageRequest {
  const sizeText = query.get('PageSize');
  const pageSize = sizeText === null ? 50 : Number(sizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw invalidParam('PageSize must be an integer between 1 and 1000.');
  }
  const pageText = query.get('Page');
  const page = pageText === null ? 0 : Number(pageText);
  if (!Number.isInteger(page) || page < 0)
    throw invalidParam('Page must be a non-negative integer.');
  const token = query.get('PageToken');
  let offset = page * pageSize;
  if (token !== null) {
    const match = /^PT(\d+)$/.exec(token);
    if (match === null) throw invalidParam('PageToken is invalid.');
    offset = Number(match[1]);
  }
  return { page, pageSize, offset };
}

function pageQuery(
  filters: [string, string][],
  pageSize: number,
  page: number,
  offset?: number,
): string {
  const q = new URLSearchParams(filters);
  q.set('PageSize', String(pageSize));
  q.set('Page', String(page));
  if (offset !== undefined) q.set('PageToken', `PT${offset}`);
  return q.toString();
}

/** Filters the list was asked with, kept in the paging links so every page applies them. */
export type PageFilters = [string, string][];

/** v2010 list body: `{ <key>: [...], start, end, page, page_size, uri, first/next/previous_page_uri }`. */
export function v2010Page<T>(
  key: string,
  items: readonly T[],
  path: string,
  req: PageRequest,
  filters: PageFilters = [],
): Record<string, unknown> {
  const slice = items.slice(req.offset, req.offset + req.pageSize);
  const hasNext = req.offset + req.pageSize < items.length;
  const uri = (page: number, offset?: number) =>
    `${path}?${pageQuery(filters, req.pageSize, page, offset)}`;
  return {
    [key]: slice,
    end: slice.length === 0 ? req.offset : req.offset + slice.length - 1,
    first_page_uri: uri(0),
    next_page_uri: hasNext ? uri(req.page + 1, req.offset + req.pageSize) : null,
    page: req.page,
    page_size: req.pageSize,
    previous_page_uri:
      req.page > 0 ? uri(req.page - 1, Math.max(0, req.offset - req.pageSize)) : null,
    start: req.offset,
    uri: uri(req.page),
  };
}

/** trunking v1 list body: `{ <key>: [...], meta: { page, page_size, key, url, first/next/previous_page_url } }`. */
export function v1Page<T>(
  key: string,
  items: readonly T[],
  url: string,
  req: PageRequest,
): Record<string, unknown> {
  const slice = items.slice(req.offset, req.offset + req.pageSize);
  const hasNext = req.offset + req.pageSize < items.length;
  const link = (page: number, offset?: number) =>
    `${url}?${pageQuery([], req.pageSize, page, offset)}`;
  return {
    [key]: slice,
    meta: {
      page: req.page,
      page_size: req.pageSize,
      first_page_url: link(0),
      previous_page_url:
        req.page > 0 ? link(req.page - 1, Math.max(0, req.offset - req.pageSize)) : null,
      url: link(req.page),
      next_page_url: hasNext ? link(req.page + 1, req.offset + req.pageSize) : null,
      key,
    },
  };
}
