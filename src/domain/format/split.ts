/**
 * Splitting a long Telegram HTML message into parts under the 4,096-character limit: at section
 * boundaries first (blank lines), then at line breaks, and only for a single overlong line at a
 * space (or anywhere, as a last resort) with the open tags closed and reopened around the cut, so
 * every part is valid HTML on its own.
 */

export const TELEGRAM_TEXT_LIMIT = 4096;

/** Joins sections with blank lines and splits the result into parts no longer than `limit`. */
export function splitMessage(sections: readonly string[], limit = TELEGRAM_TEXT_LIMIT): string[] {
  if (limit < 100) throw new RangeError("limit is too small to split sensibly");
  const parts: string[] = [];
  let current = "";
  const flush = () => {
    if (current.trim()) parts.push(current);
    current = "";
  };
  const append = (piece: string, separator: string) => {
    if (!current) current = piece;
    else if (current.length + separator.length + piece.length <= limit) current += separator + piece;
    else {
      flush();
      current = piece;
    }
  };
  for (const section of sections.filter((s) => s.trim())) {
    if (section.length <= limit) {
      append(section, "\n\n");
      continue;
    }
    // A section too long for one part: its lines go one by one, the first after a blank line.
    let separator = "\n\n";
    for (const line of section.split("\n")) {
      for (const piece of line.length <= limit ? [line] : splitLine(line, limit)) {
        append(piece, separator);
        separator = "\n";
      }
    }
  }
  flush();
  return parts;
}

interface Token {
  text: string;
  /** For a tag: its name and whether it opens or closes. */
  tag?: { name: string; closing: boolean };
}

const TOKEN_RE = /<\/?([a-z-]+)(?:\s[^>]*)?>|&[#a-z0-9]+;|[^<&]+|[<&]/gi;

function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  for (const m of html.matchAll(TOKEN_RE)) {
    const text = m[0];
    if (m[1] && text.startsWith("<")) tokens.push({ text, tag: { name: m[1].toLowerCase(), closing: text.startsWith("</") } });
    else if (text.startsWith("&") || text.length === 1) tokens.push({ text });
    else for (const word of text.split(/(?<= )/)) tokens.push({ text: word }); // words keep their trailing space
  }
  return tokens;
}

/** Cuts one line of HTML into pieces of at most `limit` characters, tags balanced in each piece. */
export function splitLine(line: string, limit: number): string[] {
  const pieces: string[] = [];
  const open: Token[] = []; // opening tags in force, outermost first
  const closers = () => open.map((t) => `</${t.tag!.name}>`).reverse().join("");
  const openers = () => open.map((t) => t.text).join("");
  let piece = "";
  const room = () => limit - closers().length - piece.length;
  const hasText = () => piece.replace(/<[^>]*>/g, "").length > 0;
  const cut = () => {
    if (hasText()) pieces.push(piece + closers());
    piece = openers();
  };
  for (const token of tokenize(line)) {
    if (token.tag?.closing) {
      const at = open.map((t) => t.tag!.name).lastIndexOf(token.tag.name);
      if (at >= 0) open.splice(at, 1);
      piece += token.text;
      continue;
    }
    if (token.tag) {
      if (token.text.length + token.tag.name.length + 3 > room()) cut();
      open.push(token);
      piece += token.text;
      continue;
    }
    let text = token.text;
    while (text.length > room()) {
      const freshRoom = limit - closers().length - openers().length;
      if (hasText() && text.length <= freshRoom) {
        cut(); // the word moves whole to the next piece
        continue;
      }
      // Longer than a whole piece: cut the word itself (never inside an entity).
      const free = room();
      if (free <= 0 || text.startsWith("&")) {
        if (!hasText()) break; // nothing more can be done: let the piece run over
        cut();
        continue;
      }
      piece += text.slice(0, free);
      text = text.slice(free);
      cut();
    }
    piece += text;
  }
  if (hasText()) pieces.push(piece + closers());
  return pieces;
}
