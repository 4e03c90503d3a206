/**
 * The pure part of folder listings: the order of entries, the opaque cursor, and the bounded
 * selection that makes a page cost what the page holds rather than what the folder holds.
 *
 * A page is "the `limit` smallest entries after the cursor". The cursor is the last entry
 * returned (its name and type), so it stays valid while files are added or removed: a page never
 * repeats or skips an entry that existed through the whole walk. Picking the smallest names is a
 * bounded selection (a max-heap of `limit + 1` names), not a sort of the folder: over a folder of
 * N names it costs N comparisons against the heap's top plus O(log limit) for each name that
 * enters the heap, whichever page is asked for.
 */

export type EntryType = 'file' | 'folder';

/** Identifies one entry of a folder: a name can be both a file (in one root) and a folder (in another). */
export interface EntryKey {
  readonly name: string;
  readonly type: EntryType;
}

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10_000;

/**
 * Unicode code-point order (what UTF-8 byte order gives, and what `ls` under a C.UTF-8 locale
 * shows). JavaScript's `<` compares UTF-16 code units, which puts U+E000–U+FFFF after the astral
 * planes; this comparison fixes exactly that case at the first differing unit.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (astral code points) rank above U+E000–U+FFFF, as their code points do. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** By name, then a file before a folder of the same name. */
export function compareKeys(a: EntryKey, b: EntryKey): number {
  return compareCodePoints(a.name, b.name) || (a.type === b.type ? 0 : a.type === 'file' ? -1 : 1);
}

/**
 * Whether a name can still hold entries after `cursor`: a greater name, or the same name when the
 * cursor is its file entry (the folder entry of that name sorts after it).
 */
export function nameIsAfter(name: string, cursor: EntryKey | undefined): boolean {
  if (cursor === undefined) return true;
  const order = compareCodePoints(name, cursor.name);
  return order > 0 || (order === 0 && cursor.type === 'file');
}

const TYPE_TAG: Readonly<Record<EntryType, string>> = { file: 'f', folder: 'd' };
const CURSOR_ALPHABET = /^[A-Za-z0-9_-]+$/;
/** Longest cursor accepted: a 1,024-character name in UTF-8 (4 bytes each at most) and its tag. */
export const MAX_CURSOR_LENGTH = Math.ceil(((1024 * 4 + 2) * 4) / 3);
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The opaque cursor: base64url (no padding) of a type tag and the entry's name. */
export function encodeCursor(key: EntryKey): string {
  return Buffer.from(`${TYPE_TAG[key.type]}:${key.name}`, 'utf8').toString('base64url');
}

/**
 * Reads a cursor back, or undefined when it is not one this service could have made: canonical
 * base64url, valid UTF-8, a known tag and a plain name.
 */
export function decodeCursor(cursor: string): EntryKey | undefined {
  if (cursor.length > MAX_CURSOR_LENGTH || !CURSOR_ALPHABET.test(cursor)) return undefined;
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.toString('base64url') !== cursor) return undefined; // non-canonical trailing bits
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return undefined;
  }
  const type = text.startsWith('f:') ? 'file' : text.startsWith('d:') ? 'folder' : undefined;
  const name = text.slice(2);
  if (type === undefined || name === '' || name.length > 1024 || name.includes('/') || name.includes('\0')) return undefined;
  return { name, type };
}

/**
 * The `capacity` smallest distinct names offered, in code-point order: a max-heap whose top is the
 * largest name kept. A name larger than the top is rejected with one comparison. Once a name has
 * been pushed out it can never come back (the top only decreases), so the same name offered again
 * from another root is either already kept or rejected: no duplicates.
 */
export class SmallestNames {
  private readonly heap: string[] = [];
  private readonly kept = new Set<string>();

  constructor(
    private readonly capacity: number,
    private readonly compare: (a: string, b: string) => number = compareCodePoints,
  ) {}

  offer(name: string): void {
    if (this.kept.has(name)) return;
    const heap = this.heap;
    if (heap.length < this.capacity) {
      heap.push(name);
      this.kept.add(name);
      this.siftUp(heap.length - 1);
      return;
    }
    if (this.capacity === 0 || this.compare(name, heap[0]) >= 0) return;
    this.kept.delete(heap[0]);
    heap[0] = name;
    this.kept.add(name);
    this.siftDown(0);
  }

  /** The kept names, smallest first. */
  sorted(): string[] {
    return [...this.heap].sort(this.compare);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.compare(heap[index], heap[parent]) <= 0) return;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let largest = index;
      if (left < heap.length && this.compare(heap[left], heap[largest]) > 0) largest = left;
      if (right < heap.length && this.compare(heap[right], heap[largest]) > 0) largest = right;
      if (largest === index) return;
      [heap[index], heap[largest]] = [heap[largest], heap[index]];
      index = largest;
    }
  }
}
