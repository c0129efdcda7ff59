export { createExotelClient, type ExotelClient } from './exotel-client.js';
export { EXOTEL_ALLOWED_HOSTS, normalizeExotelHost, type ExotelApiHost } from './exotel-host.js';
export { exotelStatusCode } from './exotel-http.js';
export type {
  ExotelCallLog,
  ExotelCallView,
  ExotelClientOptions,
  ExotelConnectInput,
  ExotelCredentials,
} from './exotel-types.js';
