// /v1/tenants/:tenantId/messages: SMS through Twilio with the tenant's stored credentials.
import {
  messagePageView,
  messageView,
  type ActivityService,
} from '../../services/activity/index.js';
import { messageCreate, type MessageService } from '../../services/messages/index.js';
import type { RouteSpec } from '../route-spec.js';
import { readRoutes, sendRoute } from './activity-routes.js';

const NOTE =
  'The destination is shown in E.164 and the body in full to the tenant; to the root token the destination is masked and the body left out.';

export function messageRoutes(messages: MessageService, activity: ActivityService): RouteSpec[] {
  const tags = ['messages'];
  return [
    sendRoute({
      operationId: 'createMessage',
      url: '/v1/tenants/:tenantId/messages',
      summary: "Send an SMS through Twilio from one of the tenant's phones",
      description: `From fromPhoneId, else the tenant's phone whose number is the Twilio credentials' defaultFrom; the destination is normalized and must be of an allowed type; body up to 1600 characters. The record (destination and body sealed) is written before Twilio is asked. Limited per caller and per destination as calls are (429 ERR_RATE_LIMITED, 503 ERR_RATE_LIMIT_UNAVAILABLE). ${NOTE}`,
      tags,
      scope: 'messages:send',
      body: messageCreate,
      response: messageView,
      send: (tenantId, body, ctx) => messages.send(tenantId, body, ctx),
    }),
    ...readRoutes(activity, {
      kind: 'message',
      plural: 'messages',
      tags,
      page: messagePageView,
      view: messageView,
      note: NOTE,
    }),
  ];
}
