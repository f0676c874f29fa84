// Attribute filters typed as logfmt: `http.status_code=500 error=true note="two words"`.

const PAIR = /\s*([^\s="]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))/y;

/** Parses logfmt pairs into an object; throws an Error naming the text it could not read. */
export function parseLogfmt(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const source = text.trim();
  PAIR.lastIndex = 0;
  while (PAIR.lastIndex < source.length) {
    const at = PAIR.lastIndex;
    const match = PAIR.exec(source);
    if (!match) {
      throw new Error(`attributes: expected key=value at '${source.slice(at).trimStart()}'`);
    }
    result[match[1]] = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3];
  }
  return result;
}

