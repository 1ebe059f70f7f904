/** Typo tolerance: the optimal-string-alignment (restricted Damerau-Levenshtein) distance. */

/** Distance between a and b, counting a swap of two neighbours as one edit; stops early above `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  let prevPrev: number[] = new Array(n + 1).fill(0);
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row: number[] = [i];
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2] + 1);
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[n];
}

/** One typo at most, and only in words of 5+ letters: shorter words have too many neighbours. */
export const TYPO_MIN_LENGTH = 5;

export function withinOneTypo(word: string, target: string): boolean {
  return word.length >= TYPO_MIN_LENGTH && atMostOneEdit(word, target);
}

/** editDistance(a, b) <= 1 in one linear scan without allocating (the parser's hot path). */
export function atMostOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  if (long.length - short.length > 1) return false;
  let i = 0;
  while (i < short.length && long[i] === short[i]) i++;
  if (long.length !== short.length) return tailsEqual(long, i + 1, short, i);
  if (tailsEqual(long, i + 1, short, i + 1)) return true; // one substitution
  return long[i] === short[i + 1] && long[i + 1] === short[i] && tailsEqual(long, i + 2, short, i + 2); // one swap
}

function tailsEqual(a: string, i: number, b: string, j: number): boolean {
  if (a.length - i !== b.length - j) return false;
  for (; i < a.length; i++, j++) if (a[i] !== b[j]) return false;
  return true;
}
