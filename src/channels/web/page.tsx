import { raw } from 'hono/html';
import type { Catalog } from '../../content/catalog.ts';
import type { Locale } from '../../engine/types.ts';
import { MAX_TEXT_LENGTH } from './schema.ts';

const styles = `
:root { color-scheme: light; --accent: #1f5f8b; --accent-soft: #e8f1f8; --bg: #f6f7f9; --me: #dcebf7; --bot: #fff;
  --line: #d0d6dd; --muted: #4f5a66; --focus: #a33f00; }
* { box-sizing: border-box; }
html { scroll-padding-bottom: 6.5rem; }
body { margin: 0; min-height: 100vh; min-height: 100dvh; display: flex; flex-direction: column; background: var(--bg);
  color: #1b1b1b; font: 17px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif; }
header { background: var(--accent); color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem 1rem; }
header h1 { font-size: 1.2rem; margin: 0; }
header p { margin: 0; font-size: .9rem; flex: 1 1 16rem; }
header nav { display: flex; gap: 1rem; }
header nav a { color: #fff; display: inline-block; padding: .2rem 0; }
header nav a[aria-current="true"] { font-weight: 700; text-decoration: none; }
main { flex: 1; width: 100%; max-width: 40rem; margin: 0 auto; padding: 0 .75rem; display: flex; flex-direction: column; }
.log-region { flex: 1; }
#log { list-style: none; margin: 0; padding: 1rem 0 .5rem; }
#log li { margin: .5rem 0; display: flex; flex-direction: column; }
.bubble { padding: .55rem .85rem; border-radius: 1rem; max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; }
.from-service .bubble { background: var(--bot); border: 1px solid var(--line); border-bottom-left-radius: .3rem; align-self: flex-start; }
.from-client .bubble { background: var(--me); border: 1px solid #b9d3e8; border-bottom-right-radius: .3rem; align-self: flex-end; }
.choices { display: flex; flex-wrap: wrap; gap: .5rem; margin: .6rem 0 0; padding: 0; border: 0; min-width: 0; }
.choices button { font: inherit; line-height: 1.3; text-align: left; max-width: 100%; min-height: 2.75rem; padding: .5rem .95rem;
  border-radius: 1.4rem; border: 2px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; }
.choices button:hover:enabled { background: var(--accent-soft); }
.choices button:disabled { cursor: default; border-color: var(--line); background: transparent; color: var(--muted); }
.choices button.chosen:disabled { border-color: var(--accent); background: var(--accent); color: #fff; }
.choices button.chosen::before { content: "\\2713\\00a0"; }
img.illustration { max-width: min(100%, 20rem); margin-top: .4rem; }
.composer { position: sticky; bottom: 0; margin: 0 -.75rem; padding: .25rem .75rem .9rem; background: var(--bg);
  border-top: 1px solid var(--line); }
.menu { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 .5rem; padding: 0; border: 0; min-width: 0; }
.menu button { font: inherit; font-size: .9rem; min-height: 2.25rem; padding: .25rem .8rem; border-radius: 1.2rem;
  border: 1px solid var(--accent); background: #fff; color: var(--accent); cursor: pointer; }
.menu button:hover { background: var(--accent-soft); }
#status { min-height: 1.3rem; font-size: .9rem; color: var(--muted); margin: 0 0 .3rem; }
#status.error { color: #8a1c1c; font-weight: 600; }
form { display: flex; gap: .5rem; }
form input { flex: 1; min-width: 0; font: inherit; padding: .6rem .8rem; border: 2px solid #6b7785; border-radius: .6rem; background: #fff; color: inherit; }
form input::placeholder { color: #5f6b78; }
form button { font: inherit; font-weight: 600; padding: .6rem 1.1rem; border: 0; border-radius: .6rem; background: var(--accent); color: #fff; cursor: pointer; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
header :focus-visible { outline-color: #ffd166; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** The web chat page: server-rendered, no framework; the script in chat-script.ts does the talking. */
export function ChatPage({ catalog, locale }: { catalog: Catalog; locale: Locale }) {
  const t = (key: string, vars?: Record<string, string | number>) => catalog.text(locale, key, vars);
  const other: Locale = locale === 'nb' ? 'en' : 'nb';
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{t('ui.title')}</title>
        <link rel="icon" href="data:," />
        {/* Inserted raw: a <style> element does not decode entities, so escaped quotes would break the CSS. */}
        <style>{raw(styles)}</style>
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
          data-slow={t('ui.slow_down')}
          data-too-long={t('ui.too_long', {
            max: MAX_TEXT_LENGTH.toLocaleString(locale === 'nb' ? 'nb-NO' : 'en-GB'),
          })}
          data-sending={t('ui.sending')}
          data-choices-label={t('ui.choices_label')}
          data-you={t('ui.you')}
          data-bot={t('ui.bot')}
        >
          {/* The live region wraps the list: a list with role="log" would no longer be a list to its items. */}
          <div class="log-region" role="log" aria-live="polite" aria-label={t('ui.log_label')}>
            <ol id="log" />
          </div>
          <div class="composer">
            <p id="status" role="status" />
            <fieldset class="menu">
              <legend class="visually-hidden">{t('ui.menu_label')}</legend>
              <button type="button" data-value="menu.therapist">
                {t('ui.menu_therapist')}
              </button>
              <button type="button" data-value="menu.phone">
                {t('ui.menu_phone')}
              </button>
            </fieldset>
            <form id="composer" autocomplete="off">
              <label for="message" class="visually-hidden">
                {t('ui.input_label')}
              </label>
              {/* No maxlength: the browser would cut a pasted text silently, and the end of a long message (a
                  crisis phrase among them) would never be read. The server refuses one over MAX_TEXT_LENGTH
                  with a 400 that the script shows, keeping the text. */}
              <input
                id="message"
                name="message"
                type="text"
                placeholder={t('ui.placeholder')}
                enterkeyhint="send"
              />
              <button type="submit">{t('ui.send')}</button>
            </form>
          </div>
        </main>
        <script src="/chat/chat.js" defer />
      </body>
    </html>
  );
}
