/**
 * ServiceNow as a ConnectorModule: the Table API (records) plus sys_journal_field (comments
 * and work notes), sys_audit (history), the Attachment API and the dictionary (custom fields).
 * See connector.ts for the request strategy.
 */
import type { ConnectorModule } from '../connector.js';
import {
  describeServiceNow,
  serviceNowConfigSchema,
  validateServiceNowConfig,
  type ServiceNowConfig,
} from './config.js';
import { createServiceNowConnector } from './connector.js';

export const servicenowModule: ConnectorModule<ServiceNowConfig> = {
  sourceType: 'servicenow',
  configSchema: serviceNowConfigSchema,
  secretFields: ['password', 'access_token'],
  validate: validateServiceNowConfig,
  describe: describeServiceNow,
  // incident has both `severity` and `impact`; impact is the one the default form shows and the
  // priority matrix reads (impact × urgency), while severity is off the form and mostly left at its default.
  defaultFieldMap: { severity: 'impact', due_date: 'due_date' },
  create: createServiceNowConnector,
};

export type { ServiceNowConfig } from './config.js';
