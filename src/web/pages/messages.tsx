import { MAX_MESSAGE_LENGTH, type StaffMessageView } from '../../service/messages.ts';
import type { Translate } from '../context.ts';
import { channelLabel, formatDateTime } from '../format.ts';

export interface MessagesPartProps {
  t: Translate;
  locale: 'nb' | 'en';
  /** The time zone dates are shown in (the clinic's, as on the rest of the client page). */
  timeZone: string;
  clientId: string;
  /**
   * The client's messages, newest first (`readMessages` or `listMessages` in src/service/messages.ts).
   * A message from the client without `readAt` is shown as unread.
   */
  messages: StaffMessageView[];
}

/**
 * Messages between the therapist and the client on the client's page: a form to write to the client
 * (it goes to the channel they used last), then the messages in both directions, newest first, with
 * the unread ones from the client marked, and the therapist's that never went out (the client had no
 * channel yet) marked as not delivered.
 */
export function MessagesPart({ t, locale, timeZone, clientId, messages }: MessagesPartProps) {
  const action = `/staff/clients/${encodeURIComponent(clientId)}/messages`;
  return (
    <div class="messages">
      <form method="post" action={action} class="stack">
        <label for="message-text">{t('messages.write')}</label>
        <textarea
          id="message-text"
          name="text"
          rows={3}
          minlength={1}
          maxlength={MAX_MESSAGE_LENGTH}
          required
        />
        <p class="muted">{t('messages.hint')}</p>
        <button type="submit">{t('messages.send')}</button>
      </form>
      {messages.length === 0 ? <p>{t('messages.none')}</p> : null}
      {messages.map((message) => {
        const unread = message.direction === 'in' && !message.readAt;
        return (
          <article class={`card message ${message.direction}`}>
            <p class="muted">
              <strong>
                {message.direction === 'in'
                  ? t('messages.from_client')
                  : t('messages.from_staff', { name: message.staff?.name ?? '–' })}
              </strong>{' '}
              –{' '}
              <time datetime={message.createdAt}>{formatDateTime(message.createdAt, locale, timeZone)}</time>{' '}
              {message.channel ? t('messages.via', { channel: channelLabel(t, message.channel) }) : null}
              {unread ? <span class="tag high"> {t('messages.unread')}</span> : null}
              {message.channel ? null : <span class="tag high"> {t('messages.no_channel')}</span>}
            </p>
            <p class="client-text">{message.text}</p>
            {message.channel ? null : <p class="notice info">{t('messages.no_channel_note')}</p>}
          </article>
        );
      })}
    </div>
  );
}
