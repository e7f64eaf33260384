/** Who is acting in the workspace, as the service sees them once sign-in is done. */
export interface StaffActor {
  staffId: string;
  email: string;
  name: string;
  role: 'admin' | 'therapist';
  locale: 'nb' | 'en';
  /** How the request came: a workspace page, the JSON API (cookie or bearer token) or the CLI. */
  via: 'page' | 'api' | 'cli';
}

/**
 * Who may see a client: an admin sees everyone; a therapist their own caseload only. Alerts of
 * clients nobody is responsible for (and of conversations not linked to a client yet) reach every
 * therapist: see `mayReadAlertOf`.
 */
export function mayReadClient(actor: StaffActor, client: { therapistId?: string }): boolean {
  return actor.role === 'admin' || (client.therapistId !== undefined && client.therapistId === actor.staffId);
}

/** Whether an alert's client is someone `actor` is told about: their own, or nobody's. */
export function mayReadAlertOf(actor: StaffActor, client: { therapistId?: string } | undefined): boolean {
  return actor.role === 'admin' || client?.therapistId === undefined || client.therapistId === actor.staffId;
}
