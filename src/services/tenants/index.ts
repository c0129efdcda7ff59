// Tenants: creation with their keys, deletion with their keys and rows, each in the operator audit
// stream.
export { createTenantAdmin, type TenantAdmin } from './tenant-admin.js';
export { createTenantService, type TenantService } from './tenant-service.js';
export { tenantInput, tenantView, type TenantView } from './tenant-schemas.js';
export {
  createSettingsService,
  type SettingsService,
  type TenantSettings,
} from './settings-service.js';
export {
  countryCode,
  settingsPatch,
  settingsView,
  type SettingsPatch,
  type SettingsView,
} from './settings-schemas.js';
