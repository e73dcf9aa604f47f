/** The service modules by name. */
import type { ServiceModule } from '../lib/app.js';
import type { ServiceName } from '../topology.js';
import { billing } from './billing.js';
import { customerService } from './customer-service.js';
import { front } from './front.js';
import { grc } from './grc.js';
import { legal } from './legal.js';
import { sales } from './sales.js';
import { ticketing } from './ticketing.js';

export const SERVICE_MODULES: Readonly<Record<ServiceName, ServiceModule>> = {
  grc,
  'customer-service': customerService,
  legal,
  sales,
  billing,
  front,
  ticketing,
};
