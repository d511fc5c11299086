/**
 * ServiceNow as a ConnectorModule: the Table API (records) plus sys_journal_field (comments
 * and work notes). See connector.ts for the request strategy.
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
  create: createServiceNowConnector,
};

export type { ServiceNowConfig } from './config.js';
