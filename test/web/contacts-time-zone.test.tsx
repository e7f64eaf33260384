import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import { buildReview } from '../../src/domain/review.ts';
import type { ContactView } from '../../src/service/contacts.ts';
import type { ServiceDeps } from '../../src/service/deps.ts';
import { translator } from '../../src/web/context.ts';
import { ContactsPart } from '../../src/web/pages/contacts.tsx';
import { ReviewPage } from '../../src/web/pages/review.tsx';

/*
 * A contact is held at the client's local time, which is the time the add form takes: the client page
 * and the review show contact times in the client's zone, and name it when it is not the clinic's.
 */

const tr = (locale: 'nb' | 'en') => translator({ catalog } as ServiceDeps, locale);
const html = (node: unknown) => String(node);
const CLINIC = 'Europe/Oslo';
const AUCKLAND = 'Pacific/Auckland';
// 10:00 in Auckland on 10 December (NZDT, +13) is 21:00 UTC the day before, 22:00 in Oslo.
const PLANNED = '2026-12-09T21:00:00.000Z';

const contact: ContactView = {
  id: 'k1',
  source: 'manual',
  plannedAt: PLANNED,
  localDate: '2026-12-10',
  localTime: '10:00',
  minutes: 20,
  mode: 'phone',
  status: 'planned',
  statusDerived: false,
  begun: false,
  reminder: { at: '2026-12-08T21:00:00.000Z' },
};

const part = (clientTimeZone: string, locale: 'nb' | 'en' = 'nb') =>
  html(
    <ContactsPart
      t={tr(locale)}
      locale={locale}
      timeZone={CLINIC}
      clientTimeZone={clientTimeZone}
      clientId="c"
      contacts={[contact]}
    />,
  );

describe('contact times on the client page', () => {
  it("shows a contact at the client's time, names the zone, and says the form takes it", () => {
    const nb = part(AUCKLAND);
    expect(nb).toContain('10. des. 2026, 10:00');
    expect(nb).not.toContain('22:00');
    expect(nb).toContain('klientens tid, Pacific/Auckland');
    expect(nb).toContain('Dato og klokkeslett er klientens tid (Pacific/Auckland).');
    expect(part(AUCKLAND, 'en')).toContain('the client&#39;s time, Pacific/Auckland');
  });

  it('says nothing of zones for a client in the clinic’s zone', () => {
    const same = part(CLINIC);
    expect(same).toContain('9. des. 2026, 22:00');
    expect(same).not.toContain('klientens tid');
  });

  it("gives the review's next contact at the client's time too", () => {
    const review = {
      ...buildReview({
        now: new Date('2026-12-05T09:00:00.000Z'),
        goals: [],
        paceDays: 7,
        homework: [],
        scores: [],
        parts: [],
        alerts: [],
      }),
      client: { id: 'c', locale: 'nb' as const, timeZone: AUCKLAND },
      nextContact: contact,
    };
    const page = html(<ReviewPage t={tr('nb')} locale="nb" timeZone={CLINIC} review={review} />);
    expect(page).toContain('10. des. 2026, 10:00');
    expect(page).toContain('klientens tid, Pacific/Auckland');
  });
});
