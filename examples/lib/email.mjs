// Turning a raw RFC 822 e-mail into the text a classifier should see: the
// Subject line and the readable body. Routing headers (Received, Return-Path,
// Message-Id, ...) are dropped: they identify the mailing lists the corpus was
// collected from rather than what the message says. Bodies are decoded
// (base64, quoted-printable), multipart messages keep their text parts, and
// HTML is reduced to its text.

/** @param {string} raw @returns {string} */
export function emailText(raw) {
  const { headers, body } = splitMessage(raw);
  const subject = decodeWords(headers.get('subject') ?? '');
  return `${subject}\n${partText(headers, body)}`.replace(/\s+/g, ' ').trim();
}

/** @param {string} raw */
function splitMessage(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  /** @type {Map<string, string>} */
  const headers = new Map();
  // unfold continuation lines, then "Name: value"
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) {
      const name = line.slice(0, i).trim().toLowerCase();
      if (!headers.has(name)) headers.set(name, line.slice(i + 1).trim());
    }
  }
  return { headers, body };
}

/** @param {Map<string, string>} headers @param {string} body @returns {string} */
function partText(headers, body) {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary) {
    const parts = body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'));
    const texts = parts.map((p) => {
      const { headers: h, body: b } = splitMessage(p.replace(/^\r?\n/, ''));
      return partText(h, b);
    });
    return texts.filter(Boolean).join(' ');
  }
  if (!type.startsWith('text/') && type !== '') return ''; // attachments, images
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  let text = body;
  if (encoding === 'base64') text = decodeBase64(body);
  else if (encoding === 'quoted-printable') text = decodeQuotedPrintable(body);
  return type.startsWith('text/html') || /<html|<body|<p>|<br/i.test(text.slice(0, 2000)) ? htmlText(text) : text;
}

/** @param {string} s */
function decodeBase64(s) {
  try {
    return new TextDecoder('utf-8').decode(Uint8Array.from(atob(s.replace(/[^A-Za-z0-9+/=]/g, '')), (c) => c.charCodeAt(0)));
  } catch {
    return '';
  }
}

/** @param {string} s */
function decodeQuotedPrintable(s) {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** RFC 2047 encoded words in headers: =?charset?B|Q?text?= @param {string} s */
function decodeWords(s) {
  return s.replace(/=\?[^?]+\?([BbQq])\?([^?]*)\?=/g, (_, enc, text) =>
    enc.toUpperCase() === 'B' ? decodeBase64(text) : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

/** @param {string} html */
function htmlText(html) {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d)));
}
