import type { Catalog } from '../../content/catalog.ts';
import type { Locale } from '../../engine/types.ts';

const styles = `
:root { color-scheme: light; --accent: #1f5f8b; --bg: #f6f7f9; --me: #dcebf7; --bot: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: #1b1b1b; }
header { background: var(--accent); color: #fff; padding: .75rem 1rem; display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 1.2rem; margin: 0; }
header p { margin: 0; font-size: .9rem; flex: 1 1 16rem; }
header nav a { color: #fff; margin-left: .5rem; }
header nav a[aria-current="true"] { font-weight: 700; text-decoration: none; }
main { max-width: 40rem; margin: 0 auto; padding: 0 .75rem; display: flex; flex-direction: column; min-height: calc(100dvh - 4rem); }
#log { list-style: none; margin: 0; padding: 1rem 0; flex: 1; }
#log li { margin: .4rem 0; display: flex; flex-direction: column; }
.bubble { padding: .55rem .8rem; border-radius: .9rem; max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; }
.from-service .bubble { background: var(--bot); border: 1px solid #d6dbe1; align-self: flex-start; }
.from-client .bubble { background: var(--me); align-self: flex-end; }
.choices { display: flex; flex-wrap: wrap; gap: .4rem; margin: .5rem 0 0; padding: 0; border: 0; }
.choices button { font: inherit; padding: .5rem .9rem; border-radius: 1.2rem; border: 2px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; }
.choices button:hover { background: #eef5fb; }
.choices[disabled] button { opacity: .55; cursor: default; }
img.illustration { max-width: min(100%, 20rem); margin-top: .4rem; }
form { display: flex; gap: .5rem; padding: .75rem 0 1rem; position: sticky; bottom: 0; background: var(--bg); }
form label { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
form input { flex: 1; font: inherit; padding: .6rem .8rem; border: 2px solid #8a96a3; border-radius: .6rem; min-width: 0; }
form button { font: inherit; padding: .6rem 1.1rem; border: 0; border-radius: .6rem; background: var(--accent); color: #fff; }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
#status { min-height: 1.2rem; font-size: .9rem; color: #8a1c1c; margin: 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;

/** The web chat page: server-rendered, no framework; the script in chat-script.ts does the talking. */
export function ChatPage({ catalog, locale }: { catalog: Catalog; locale: Locale }) {
  const t = (key: string) => catalog.text(locale, key);
  const other: Locale = locale === 'nb' ? 'en' : 'nb';
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{t('ui.title')}</title>
        <style>{styles}</style>
      </head>
      <body>
        <header>
          <h1>{t('ui.heading')}</h1>
          <p>{t('ui.intro')}</p>
          <nav aria-label={t('ui.language')}>
            <a href={`?lang=${locale}`} aria-current="true" lang={locale}>
              {locale === 'nb' ? 'Norsk' : 'English'}
            </a>
            <a href={`?lang=${other}`} lang={other}>
              {other === 'nb' ? 'Norsk' : 'English'}
            </a>
          </nav>
        </header>
        <main
          id="chat"
          data-locale={locale}
          data-error={t('ui.error')}
          data-sending={t('ui.sending')}
          data-choices-label={t('ui.choices_label')}
          data-you={t('ui.you')}
          data-bot={t('ui.bot')}
        >
          <ol id="log" role="log" aria-live="polite" aria-label={t('ui.log_label')} />
          <p id="status" role="status" />
          <form id="composer" autocomplete="off">
            <label for="message">{t('ui.input_label')}</label>
            <input
              id="message"
              name="message"
              type="text"
              placeholder={t('ui.placeholder')}
              maxlength={4000}
            />
            <button type="submit">{t('ui.send')}</button>
          </form>
        </main>
        <script src="/chat/chat.js" defer />
      </body>
    </html>
  );
}
