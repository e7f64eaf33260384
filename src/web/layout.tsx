import type { Child } from 'hono/jsx';
import type { StaffActor } from '../service/staff-actor.ts';
import type { Translate } from './context.ts';

export interface PageProps {
  t: Translate;
  locale: 'nb' | 'en';
  title: string;
  actor?: StaffActor;
  /** Open alerts the actor may see: in the title and the navigation, kept live by workspace.js. */
  openAlerts?: number;
  /** Which navigation entry is the current page. */
  /** The page's own path, where the language switch comes back to. */
  path?: string;
  current?: 'dashboard' | 'alerts' | 'new_client' | 'staff' | 'assignments' | 'audit';
  children?: Child;
}

/** The frame of every workspace page: skip link, header with navigation, one main landmark. */
export function Page({ t, locale, title, actor, openAlerts, current, path, children }: PageProps) {
  const count = openAlerts ?? 0;
  const fullTitle = actor && count > 0 ? `(${count}) ${title} – selvhjelp` : `${title} – selvhjelp`;
  const nav: { key: NonNullable<PageProps['current']>; href: string; label: string; admin?: boolean }[] = [
    { key: 'dashboard', href: '/staff', label: t('nav.dashboard') },
    { key: 'alerts', href: '/staff/alerts', label: t('nav.alerts') },
    { key: 'new_client', href: '/staff/clients/new', label: t('nav.new_client') },
    { key: 'staff', href: '/staff/admin/staff', label: t('nav.staff'), admin: true },
    { key: 'assignments', href: '/staff/admin/assignments', label: t('nav.assignments'), admin: true },
    { key: 'audit', href: '/staff/admin/audit', label: t('nav.audit'), admin: true },
  ];
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title data-base={`${title} – selvhjelp`}>{fullTitle}</title>
        <link rel="stylesheet" href="/staff/assets/workspace.css" />
        {/* No favicon request: the 404 it would get is an error in the console of every page. */}
        <link rel="icon" href="data:," />
        {actor ? <script src="/staff/assets/workspace.js" defer /> : null}
      </head>
      <body>
        <a class="skip" href="#main">
          {t('skip_to_content')}
        </a>
        <header class="top">
          <p class="brand">
            <a href="/staff">selvhjelp</a> <span>{t('workspace')}</span>
          </p>
          {actor ? (
            <nav aria-label={t('nav.label')}>
              <ul>
                {nav
                  .filter((item) => !item.admin || actor.role === 'admin')
                  .map((item) => (
                    <li>
                      <a href={item.href} aria-current={current === item.key ? 'page' : undefined}>
                        {item.label}
                        {item.key === 'alerts' ? (
                          <span
                            class="badge"
                            data-live-alerts={String(count)}
                            data-label-one={t('nav.open_alerts', { count: 1 })}
                            data-label-other={t('nav.open_alerts', { count: 2 })}
                            hidden={count === 0}
                          >
                            {' '}
                            <span class="count">{count}</span>
                            <span class="visually-hidden label"> {t('nav.open_alerts', { count })}</span>
                          </span>
                        ) : null}
                      </a>
                    </li>
                  ))}
              </ul>
            </nav>
          ) : null}
          {actor ? (
            <div class="who">
              <span>
                {actor.name} ({t(`role.${actor.role}`)})
              </span>
              <form method="post" action="/staff/language" class="inline">
                <input type="hidden" name="locale" value={locale === 'nb' ? 'en' : 'nb'} />
                <input type="hidden" name="returnTo" value={path ?? '/staff'} />
                <button type="submit" class="link" lang={locale === 'nb' ? 'en' : 'nb'}>
                  {locale === 'nb' ? 'English' : 'Norsk'}
                </button>
              </form>
              <form method="post" action="/staff/logout" class="inline">
                <button type="submit" class="link">
                  {t('sign_out')}
                </button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** A message box: errors are announced by screen readers at once. */
export function Notice({ kind, children }: { kind: 'error' | 'info' | 'success'; children?: Child }) {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
