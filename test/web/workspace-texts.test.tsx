import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/content/default.ts';
import { buildReview } from '../../src/domain/review.ts';
import type { ServiceDeps } from '../../src/service/deps.ts';
import type { CaseloadEntry, DashboardView } from '../../src/service/workspace.ts';
import { translator } from '../../src/web/context.ts';
import { channelLabel } from '../../src/web/format.ts';
import { Page } from '../../src/web/layout.tsx';
import { Dashboard } from '../../src/web/pages/dashboard.tsx';
import { MessagesPart } from '../../src/web/pages/messages.tsx';
import { ReviewPage } from '../../src/web/pages/review.tsx';

/* The workspace's counted and reworded texts, rendered by the real pages with the real catalog. */

const deps = { catalog } as ServiceDeps;
const tr = (locale: 'nb' | 'en') => translator(deps, locale);
const html = (node: unknown) => String(node);
const TZ = 'Europe/Oslo';
const now = new Date('2026-12-14T09:00:00.000Z');

const entry = (clientId: string, openAlerts: number, unreadMessages: number): CaseloadEntry => ({
  clientId,
  name: clientId,
  createdAt: '2026-11-01T09:00:00.000Z',
  flags: {
    safetyMode: false,
    item9: false,
    reliableDeterioration: false,
    inactive: false,
    sleepWindowAwaiting: false,
    contractChangeRequested: false,
    goneQuiet: false,
    messageFailed: false,
  },
  flagCount: 0,
  openAlerts,
  unreadMessages,
});

const dashboard = (locale: 'nb' | 'en') => {
  const view: DashboardView = {
    alerts: [],
    openAlertCount: 0,
    caseload: [entry('one', 1, 1), entry('two', 2, 2)],
    sort: { key: 'name', direction: 'asc' },
    generatedAt: now.toISOString(),
  };
  return html(<Dashboard t={tr(locale)} locale={locale} timeZone={TZ} view={view} opensUnassigned={false} />);
};

describe('counted texts in the workspace', () => {
  it('says 1 open alert and 2 open alerts, 1 unread message and 2 unread messages', () => {
    const nb = dashboard('nb');
    for (const text of ['1 åpent varsel', '2 åpne varsler', '1 ulest melding', '2 uleste meldinger'])
      expect(nb).toContain(text);
    expect(nb).not.toContain('1 åpne varsler');
    expect(nb).not.toContain('1 uleste meldinger');
    const en = dashboard('en');
    for (const text of ['1 open alert<', '2 open alerts', '1 unread message<', '2 unread messages'])
      expect(en).toContain(text);
  });

  it('names the alert badge in the singular or plural, and gives the live script both forms', () => {
    const page = (openAlerts: number) =>
      html(
        <Page
          t={tr('nb')}
          locale="nb"
          title="Oversikt"
          openAlerts={openAlerts}
          actor={{ staffId: 's', email: 's@x', name: 'S', role: 'therapist', locale: 'nb', via: 'page' }}
        />,
      );
    expect(page(1)).toContain('<span class="visually-hidden label"> åpent varsel</span>');
    expect(page(3)).toContain('<span class="visually-hidden label"> åpne varsler</span>');
    expect(page(1)).toContain('data-label-one="åpent varsel" data-label-other="åpne varsler"');
  });
});

describe('the review page', () => {
  const review = (parts: Parameters<typeof buildReview>[0]['parts']) => ({
    ...buildReview({ now, goals: [], paceDays: 7, homework: [], scores: [], parts, alerts: [] }),
    client: { id: 'c', locale: 'nb' as const, timeZone: TZ },
  });

  it('says the course has not started when it has not, rather than "since the course began"', () => {
    const before = html(<ReviewPage t={tr('nb')} locale="nb" timeZone={TZ} review={review([])} />);
    expect(before).toContain('Ingen samtale ennå, og kurset har ikke startet');
    expect(before).toContain('Ingen måling ennå: be om PHQ-9 og GAD-7.');
    expect(before).not.toContain('siden forrige samtale');
    const begun = review([{ flowId: 'sleep', part: 1, startedAt: '2026-12-10T09:00:00.000Z' }]);
    const after = html(<ReviewPage t={tr('en')} locale="en" timeZone={TZ} review={begun} />);
    expect(after).toContain('Since the course began');
    expect(after).toContain('The sleep course: carry on with part 1.');
  });
});

describe('a therapist message that never went out', () => {
  it('is marked not delivered, with why and what to do', () => {
    const page = html(
      <MessagesPart
        t={tr('nb')}
        locale="nb"
        timeZone={TZ}
        clientId="c"
        messages={[
          {
            id: 'm',
            direction: 'out',
            text: 'Hei',
            staff: { id: 's', name: 'Tina' },
            createdAt: now.toISOString(),
            delivery: 'no_channel',
          },
        ]}
      />,
    );
    expect(page).toContain('Ikke levert');
    expect(page).toContain('Klienten hadde ingen kanal da meldingen ble skrevet');
  });

  it('is marked as not through when it failed, waiting or sent otherwise, in nb and en', () => {
    for (const locale of ['nb', 'en'] as const) {
      const t = tr(locale);
      const out = (id: string, delivery: 'waiting' | 'sent' | 'failed') => ({
        id,
        direction: 'out' as const,
        text: id,
        staff: { id: 's', name: 'Tina' },
        channel: 'sms',
        createdAt: now.toISOString(),
        delivery,
      });
      const page = html(
        <MessagesPart
          t={t}
          locale={locale}
          timeZone={TZ}
          clientId="c"
          messages={[out('a', 'failed'), out('b', 'waiting'), out('c', 'sent')]}
        />,
      );
      expect(page).toContain(`data-delivery="failed"> ${t('messages.delivery_failed')}<`);
      expect(page).toContain(`data-delivery="waiting"> ${t('messages.delivery_waiting')}<`);
      expect(page).toContain(`data-delivery="sent"> ${t('messages.delivery_sent')}<`);
      expect(page.split(t('messages.delivery_failed_note'))).toHaveLength(2);
      expect(page).not.toContain(t('messages.no_channel_note'));
    }
  });
});

describe('the channels a client writes from', () => {
  const messageFrom = (channel: string) => ({
    id: `m-${channel}`,
    direction: 'in' as const,
    text: 'Hei',
    channel,
    createdAt: now.toISOString(),
    readAt: now.toISOString(),
  });
  const messages = (locale: 'nb' | 'en') =>
    html(
      <MessagesPart
        t={tr(locale)}
        locale={locale}
        timeZone={TZ}
        clientId="c"
        messages={['botframework', 'web', 'sms'].map(messageFrom)}
      />,
    );

  it('are named in words, Teams and the other Bot Framework channels as such, never by their code', () => {
    const nb = messages('nb');
    for (const text of [
      'via Teams / Bot Framework',
      'via Nettprat',
      'via SMS',
      '(nettprat, Teams eller SMS)',
    ])
      expect(nb).toContain(text);
    const en = messages('en');
    for (const text of ['via Teams / Bot Framework', 'via Web chat', 'via SMS', '(web chat, Teams or SMS)'])
      expect(en).toContain(text);
    for (const page of [nb, en]) expect(page).not.toMatch(/via (botframework|web)\b/);
  });

  it('shows a channel the texts do not know by its code', () => {
    expect(channelLabel(tr('nb'), 'whatsapp')).toBe('whatsapp');
    expect(channelLabel(tr('en'), 'botframework')).toBe('Teams / Bot Framework');
  });
});

describe('accessibility details an axe scan at 390 px found', () => {
  it('names the first column of the review’s scores, and lets a keyboard scroll the table', () => {
    const review = {
      ...buildReview({
        now,
        goals: [],
        paceDays: 7,
        homework: [],
        scores: [
          { instrument: 'phq9', total: 15, at: '2026-11-22T18:00:00.000Z', riskItemPositive: false },
          { instrument: 'phq9', total: 8, at: '2026-12-12T18:00:00.000Z', riskItemPositive: false },
        ],
        parts: [],
        alerts: [],
      }),
      client: { id: 'c', locale: 'nb' as const, timeZone: TZ },
    };
    const page = html(<ReviewPage t={tr('nb')} locale="nb" timeZone={TZ} review={review} />);
    expect(page).toContain('<th scope="col"><span class="visually-hidden">Skjema</span></th>');
    expect(page).toContain('<div class="table-wrap" tabindex="0">');
  });
});
