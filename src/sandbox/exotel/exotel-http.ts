// Shared by the Exotel routes: the response format a path asks for and the authenticated account.
import type { FastifyRequest } from 'fastify';
import { createRequestPrincipal } from '../core/request-principal.js';
import type { ExotelFormat } from './exotel-format.js';
import type { ExotelAccount } from './exotel-store.js';

const accounts = createRequestPrincipal<ExotelAccount>('exotel');

/** Exotel answers JSON when the path ends in `.json`, XML otherwise. */
export function formatOf(request: FastifyRequest): ExotelFormat {
  return request.url.split('?')[0]?.endsWith('.json') === true ? 'json' : 'xml';
}

export function setAccount(request: FastifyRequest, account: ExotelAccount): void {
  accounts.remember(request, account);
}

/** The account the request's Basic credentials opened (set by the auth hook). */
export function accountOf(request: FastifyRequest): ExotelAccount {
  return accounts.of(request);
}
