/**
 * The generated sections of docs/backtest.md: each script owns the text between its begin and end markers and
 * rewrites only that; a section not yet in the document is appended.
 */
export function replaceSection(doc: string, begin: string, end: string, section: string): string {
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  return a >= 0 && b > a ? doc.slice(0, a) + section + doc.slice(b + end.length) : `${doc}\n${section}\n`;
}
