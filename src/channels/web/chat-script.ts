/**
 * The browser side of the web chat, served as /chat/chat.js. Plain ES2017 with no build step, so it works
 * in any phone browser. Every text the client or the service wrote is inserted with textContent.
 */
export const chatScript = `(() => {
  'use strict';
  const root = document.getElementById('chat');
  const log = document.getElementById('log');
  const form = document.getElementById('composer');
  const input = document.getElementById('message');
  const status = document.getElementById('status');
  const locale = root.dataset.locale;
  const storageKey = 'selvhjelp.conversation';
  let conversationId = null;
  let cursor = 0;
  let busy = false;
  let generation = 0;
  // The last message that did not get through: sent again with the same id, so the server can dedupe it.
  let failed = null;

  try { conversationId = localStorage.getItem(storageKey); } catch (e) { conversationId = null; }

  function newId() {
    return (self.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle('error', !!isError);
  }

  function openChoices() {
    const sets = log.querySelectorAll('fieldset.choices:not([disabled])');
    return sets.length ? sets[sets.length - 1] : null;
  }

  /** Answered or outdated choices stay visible for context, disabled, with the chosen one marked. */
  function closeChoices(chosenLabel) {
    const open = openChoices();
    if (open && chosenLabel !== undefined) {
      open.querySelectorAll('button').forEach((button) => {
        if (button.textContent === chosenLabel) button.classList.add('chosen');
      });
    }
    log.querySelectorAll('fieldset.choices').forEach((set) => { set.disabled = true; });
    return open;
  }

  function addMessage(from, message) {
    const item = document.createElement('li');
    item.className = from === 'client' ? 'from-client' : 'from-service';
    const who = document.createElement('span');
    who.className = 'visually-hidden';
    who.textContent = (from === 'client' ? root.dataset.you : root.dataset.bot) + ': ';
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.appendChild(who);
    bubble.appendChild(document.createTextNode(message.text));
    item.appendChild(bubble);
    if (message.image) {
      const img = document.createElement('img');
      img.className = 'illustration';
      img.src = message.image.src;
      img.alt = message.image.alt;
      item.appendChild(img);
    }
    if (message.choices && message.choices.length) {
      closeChoices();
      const set = document.createElement('fieldset');
      set.className = 'choices';
      const legend = document.createElement('legend');
      legend.className = 'visually-hidden';
      legend.textContent = root.dataset.choicesLabel;
      set.appendChild(legend);
      message.choices.forEach((choice) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = choice.label;
        button.addEventListener('click', () => {
          if (set.disabled || busy) return;
          send({ text: choice.label, value: choice.value });
        });
        set.appendChild(button);
      });
      item.appendChild(set);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: 'end' });
    return item;
  }

  /** Where the keyboard goes next: the first new choice, or the message box. */
  function focusNext() {
    const open = openChoices();
    if (open) open.querySelector('button').focus();
    else input.focus();
  }

  /** True while the person is somewhere else on the page (typing, the language links): leave them there. */
  function focusIsElsewhere() {
    const active = document.activeElement;
    return !!active && active !== document.body && !log.contains(active);
  }

  function showReplies(replies, moveFocus) {
    replies.forEach((reply) => addMessage('service', reply));
    if (moveFocus) focusNext();
  }

  async function post(body) {
    const response = await fetch('/channels/web/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status === 404 && body.conversationId) return { restart: true };
    if (response.status === 429) {
      // Too many messages: not taken. A conversation this message started is kept for the next try.
      const refused = await response.json().catch(() => ({}));
      if (refused.conversationId) remember(refused);
      const error = new Error('HTTP 429');
      error.slow = true;
      throw error;
    }
    if (response.status === 400 || response.status === 413) {
      // A text over the server's limit (a 400 naming it, or a body too large to read): not taken, kept.
      const refused = await response.json().catch(() => ({}));
      if (response.status === 413 || typeof refused.maxLength === 'number') {
        const error = new Error('HTTP ' + response.status);
        error.tooLong = true;
        throw error;
      }
    }
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response.json();
  }

  function remember(data) {
    conversationId = data.conversationId;
    try { localStorage.setItem(storageKey, conversationId); } catch (e) { /* private mode */ }
    if (typeof data.cursor === 'number') cursor = Math.max(cursor, data.cursor);
  }

  function forget() {
    conversationId = null;
    cursor = 0;
    try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  async function start() {
    const data = await post({ locale: locale });
    remember(data);
    showReplies(data.replies, true);
  }

  function bodyFor(message, messageId) {
    const body = { locale: locale, messageId: messageId, text: message.text };
    if (message.value !== undefined) body.value = message.value;
    if (conversationId) body.conversationId = conversationId;
    return body;
  }

  /**
   * Sends a message. For a typed one, written is what the box held, spaces and all: a message the server
   * does not take (any answer but a 2xx, or no answer) goes back into the box as written, ahead of
   * anything typed since, so nothing the client wrote is lost.
   */
  async function send(message, written) {
    if (busy) return false;
    busy = true;
    generation++;
    const messageId = failed && failed.text === message.text && failed.value === message.value ? failed.messageId : newId();
    failed = null;
    setStatus(root.dataset.sending);
    const reopen = closeChoices(message.value !== undefined ? message.text : undefined);
    const bubble = addMessage('client', { text: message.text });
    let duplicate = false;
    try {
      let data = await post(bodyFor(message, messageId));
      if (data.restart) {
        forget();
        await start();
        data = await post(bodyFor(message, messageId));
      }
      remember(data);
      setStatus('');
      duplicate = !!data.duplicate;
      showReplies(data.replies, true);
    } catch (error) {
      // Nothing was lost: take the message back so it can be sent again, as it was.
      failed = { text: message.text, value: message.value, messageId: messageId };
      bubble.remove();
      if (reopen) {
        reopen.disabled = false;
        reopen.querySelectorAll('button.chosen').forEach((button) => button.classList.remove('chosen'));
      }
      if (message.value === undefined) {
        const kept = written === undefined ? message.text : written;
        const since = input.value;
        input.value = since ? kept.replace(/\\s+$/, '') + ' ' + since.replace(/^\\s+/, '') : kept;
      }
      setStatus(
        error && error.slow ? root.dataset.slow : error && error.tooLong ? root.dataset.tooLong : root.dataset.error,
        true,
      );
    } finally {
      busy = false;
    }
    // A message the server had already taken: its replies come through the poll.
    if (duplicate) poll();
    return true;
  }

  async function restore() {
    const response = await fetch('/channels/web/messages?conversationId=' + encodeURIComponent(conversationId) + '&after=0');
    if (!response.ok) return false;
    const data = await response.json();
    data.messages.forEach((m) => {
      if (m.direction === 'in') {
        closeChoices(m.text);
        addMessage('client', m);
      } else addMessage('service', m);
    });
    cursor = data.cursor;
    focusNext();
    return true;
  }

  async function poll() {
    if (!conversationId || busy) return;
    const seen = generation;
    try {
      const response = await fetch('/channels/web/messages?conversationId=' + encodeURIComponent(conversationId) + '&after=' + cursor);
      if (!response.ok || seen !== generation || busy) return;
      const data = await response.json();
      const incoming = data.messages.filter((m) => m.direction === 'out');
      cursor = Math.max(cursor, data.cursor);
      if (incoming.length) showReplies(incoming, !focusIsElsewhere());
    } catch (error) { /* offline for a moment: try again on the next poll */ }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const written = input.value;
    const text = written.trim();
    if (!text || busy) return;
    input.value = '';
    await send({ text: text }, written);
  });

  // The chat menu: a choice is a button like any other; the answer (a message, a number) is typed next.
  for (const button of document.querySelectorAll('.menu button')) {
    button.addEventListener('click', async () => {
      if (busy) return;
      await send({ text: button.textContent, value: button.dataset.value });
      input.focus();
    });
  }

  (async () => {
    try {
      if (!conversationId || !(await restore())) {
        forget();
        await start();
      }
    } catch (error) {
      setStatus(root.dataset.error, true);
    }
    setInterval(poll, 4000);
  })();
})();
`;
