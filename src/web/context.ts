import type { Context } from 'hono';
import type { Locale } from '../engine/types.ts';
import type { ServiceDeps } from '../service/deps.ts';
import type { StaffActor } from '../service/staff-actor.ts';

/** What the workspace's middleware puts on each request. */
export interface WorkspaceEnv {
  Variables: {
    actor: StaffActor;
    /** The session secret when the request came with a cookie (for sign-out). */
    session?: string;
  };
}

export interface WorkspaceOptions {
  /** The network address a request came from, for rate limits (the runtime knows; see src/entry). */
  networkAddress?: (c: Context) => string | undefined;
  /** Public base URL, for links shown to staff (set-password links, the chat address on welcome cards). */
  publicBaseUrl?: string;
  /** ALERT_SMS_TO: the clinic's duty phone, told (without content) of each new alert. */
  alertSmsTo?: string;
}

export type Translate = (key: string, vars?: Record<string, string | number>) => string;

/**
 * The workspace's texts (`workspace.*` in content/). A value the texts do not know yet (a new alert
 * kind or answer code in stored data) shows as its code rather than failing the whole page.
 */
export function translator(deps: ServiceDeps, locale: Locale): Translate {
  return (key, vars) => {
    const full = `workspace.${key}`;
    return deps.catalog.has(locale, full)
      ? deps.catalog.text(locale, full, vars)
      : key.slice(key.lastIndexOf('.') + 1);
  };
}
