// The records of calls, messages and emails: their lifecycle, writes, views and reads.
export {
  activityErrorOf,
  createActivityRecords,
  type ActivityError,
  type ActivityRecords,
  type FailureOf,
  type ProviderAnswer,
  type NewActivity,
  type Settlement,
} from './activity-records.js';
export {
  activityListQuery,
  callPageView,
  callView,
  emailPageView,
  emailView,
  messagePageView,
  messageView,
  type ActivityListQuery,
  type CallView,
  type EmailView,
  type MessageView,
} from './activity-schemas.js';
export { createActivityService, type ActivityService } from './activity-service.js';
export {
  CALL_STATUSES,
  callStatusOf,
  EMAIL_STATUSES,
  MESSAGE_STATUSES,
  movesForward,
  statusRank,
  type ActivityKind,
} from './activity-status.js';
export { maskAddress } from './activity-views.js';
export {
  sendOnce,
  tokenIdOf,
  type LimitHeaders,
  type OutboundCharge,
  type OutboundLimiter,
  type SendContext,
  type Sent,
} from './send-once.js';
