// Email sent through SendGrid with the tenant's stored key.
export { emailCreate, MAX_RECIPIENTS, type EmailCreate } from './email-schemas.js';
export {
  createEmailService,
  EMAIL_SEND,
  EMAILS_ROUTE,
  type EmailService,
  type EmailServiceDeps,
} from './email-service.js';
