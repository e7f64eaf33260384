import { defaultRegistry, type FlowRegistry } from '../../flows/registry.ts';
import { BOTFRAMEWORK_CHANNEL } from '../channels/botframework/sender.ts';
import type { Config } from '../config/config.ts';
import type { Catalog } from '../content/catalog.ts';
import { conversationReference } from '../service/conversation-references.ts';
import { type Logger, randomIds, type ServiceDeps } from '../service/deps.ts';
import { KeyedLock } from '../service/keyed-lock.ts';
import { Metrics } from '../service/metrics.ts';
import { SendRate } from '../service/send-rate.ts';
import type { Database } from '../storage/db.ts';
import { channelsFromConfig } from './channels.ts';

export interface DepsParts {
  db: Database;
  /** The content catalogue: Node imports it (src/content/default.ts), the Worker reads it from its assets. */
  catalog: Catalog;
  log: Logger;
  clock?: () => Date;
  flows?: FlowRegistry;
  senders?: ServiceDeps['senders'];
}

/** Builds the service's dependencies from the configuration; shared by the Node and Workers entries. */
export function serviceDeps(config: Config, parts: DepsParts): ServiceDeps {
  const deps: ServiceDeps = {
    db: parts.db,
    flows: parts.flows ?? defaultRegistry,
    catalog: parts.catalog,
    clock: parts.clock ?? (() => new Date()),
    ids: randomIds,
    defaults: {
      locale: config.DEFAULT_LOCALE,
      timeZone: config.DEFAULT_TIMEZONE,
      flowId: 'intro',
      clinicContact: config.CLINIC_CONTACT,
      clinicName: config.CLINIC_NAME,
      clinicHours: config.CLINIC_HOURS,
      alertSmsTo: config.ALERT_SMS_TO,
      accessCodeTtlDays: config.ACCESS_CODE_TTL_DAYS,
      unlinkedRetentionDays: config.UNLINKED_RETENTION_DAYS,
      webStartLimit: config.WEB_START_LIMIT,
      messageLimits: { conversation: config.MESSAGE_LIMIT, network: config.NETWORK_MESSAGE_LIMIT },
      contract: {
        paceDays: config.CONTRACT_PACE_DAYS,
        contactCount: config.CONTRACT_CONTACTS,
        contactMinutes: config.CONTRACT_CONTACT_MINUTES,
        contactMode: config.CONTRACT_CONTACT_MODE,
        contactEveryDays: config.CONTRACT_CONTACT_EVERY_DAYS,
        quietReminderDays: config.CONTRACT_QUIET_REMINDER_DAYS,
        quietTaskDays: config.CONTRACT_QUIET_TASK_DAYS,
      },
    },
    senders: {},
    locks: new KeyedLock(),
    log: parts.log,
    metrics: new Metrics(),
    retry: { maxAttempts: 6, baseDelayMs: 120_000 },
    checkins: {
      sms: { screenEveryDays: config.SMS_CHECKIN_SCREEN_DAYS, fullEveryDays: config.SMS_CHECKIN_FULL_DAYS },
    },
    sendRates: { sms: new SendRate(config.SMS_SEND_RATE) },
  };
  // The Bot Framework sender reads the conversation references the service stores.
  const wiring = {
    reference: (address: string) => conversationReference(deps, BOTFRAMEWORK_CHANNEL, address),
    clock: deps.clock,
  };
  deps.senders = { ...channelsFromConfig(config, wiring).senders, ...parts.senders };
  return deps;
}
