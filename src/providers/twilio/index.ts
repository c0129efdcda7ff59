export {
  createTwilioClient,
  verifyTwilioCredentials,
  type TwilioClient,
  type TwilioClientOptions,
  type TwilioCredentials,
  type TwilioSdk,
} from './twilio-client.js';
export { toTwilioError } from './twilio-errors.js';
export {
  createVoiceToken,
  isValidTwilioSignature,
  type VoiceTokenInput,
} from './twilio-voice-token.js';
