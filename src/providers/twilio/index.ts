export {
  createTwilioClient,
  verifyTwilioCredentials,
  type TwilioClient,
  type TwilioClientOptions,
  type TwilioCredentials,
  type TwilioSdk,
} from './twilio-client.js';
export { toTwilioError } from './twilio-errors.js';
