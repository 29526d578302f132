import { describe, expect, it } from 'vitest';
import {
  JoinedRefills,
  KEEP_KNOWN_MS,
  STALE_COOL_DOWN_MS,
} from '../../../shared/batches/joined-refills';
import type { EndedPair } from '../../../shared/batches/ledger';

const ended = (pair: number): EndedPair => ({ pair, attempt: 1, outcome: 'SUCCEEDED' });

describe('refills joined per batch', () => {
  it('runs one refill of a batch at a time; the pairs that arrive meanwhile join the next', async () => {
    const joined = new JoinedRefills();
    const runs: number[][] = [];
    let release: () => void = () => {};
    const refill = async (taken: EndedPair[]) => {
      runs.push(taken.map(({ pair }) => pair));
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
    };
    const first = joined.join('b1', [ended(0)], refill);
    await Promise.resolve();
    await Promise.resolve();
    const second = joined.join('b1', [ended(1)], refill);
    const third = joined.join('b1', [ended(2), ended(3)], refill);
    const other = joined.join('b2', [ended(9)], refill);
    await other;
    expect(runs).toEqual([[0], [9]]);
    release();
    await Promise.all([first, second, third]);
    expect(runs).toEqual([[0], [9], [1, 2, 3]]);
    await joined.join('b1', [ended(4)], refill);
    expect(runs).toEqual([[0], [9], [1, 2, 3], [4]]);
  });

  it('fails the callers whose pairs a failed refill took, and runs the next one all the same', async () => {
    const joined = new JoinedRefills();
    const runs: number[][] = [];
    const refill = async (taken: EndedPair[]) => {
      runs.push(taken.map(({ pair }) => pair));
      if (runs.length === 1) throw new Error('unreachable');
    };
    const failing = joined.join('b1', [ended(0)], refill);
    const joining = joined.join('b1', [ended(1)], refill);
    await expect(failing).rejects.toThrow('unreachable');
    await expect(joining).rejects.toThrow('unreachable');
    await expect(joined.join('b1', [ended(2)], refill)).resolves.toBeUndefined();
    expect(runs).toEqual([[0, 1], [2]]);
  });

  it('waits for a refill stuck on a call that never answers only so long', async () => {
    const joined = new JoinedRefills(50);
    const runs: number[][] = [];
    const refill = async (taken: EndedPair[]) => {
      runs.push(taken.map(({ pair }) => pair));
      if (runs.length === 1) await new Promise<void>(() => {});
    };
    void joined.join('b1', [ended(0)], refill);
    await Promise.resolve();
    await Promise.resolve();
    await joined.join('b1', [ended(1)], refill);
    expect(runs).toEqual([[0], [1]]);
  });

  it('starts each refill from what the one before it left, the first from the read ahead', async () => {
    let now = 0;
    const joined = new JoinedRefills<string>(100, () => now);
    const seen: Array<string | undefined> = [];
    let release: () => void = () => {};
    let runs = 0;
    const refill = async (_taken: EndedPair[], known: string | undefined) => {
      seen.push(known);
      runs += 1;
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
      return runs === 2 ? undefined : `after run ${runs}`;
    };
    const first = joined.join('b1', [ended(0)], refill, Promise.resolve('read ahead'));
    await Promise.resolve();
    await Promise.resolve();
    expect(joined.busy('b1')).toBe(true);
    const second = joined.join('b1', [ended(1)], refill, Promise.resolve('stale read'));
    release();
    await Promise.all([first, second]);
    expect(joined.busy('b1')).toBe(false);
    // With no refill before it, and no read ahead (or one that failed), a refill reads for itself.
    const third = joined.join('b1', [ended(2)], refill);
    await third;
    now += KEEP_KNOWN_MS + 1;
    await joined.join('b1', [ended(3)], refill, Promise.reject(new Error('read failed')));
    expect(seen).toEqual(['read ahead', 'after run 1', undefined, undefined]);
  });

  it('starts a refill soon after another from what that one left, until one finds it stale', async () => {
    let now = 0;
    const joined = new JoinedRefills<string>(100, () => now);
    const seen: Array<string | undefined> = [];
    const leaving = (left: string | undefined) => async (_: EndedPair[], known?: string) => {
      seen.push(known);
      return left;
    };
    await joined.join('b1', [ended(0)], leaving('left by 1'), Promise.resolve('read 1'));
    expect(joined.busy('b1')).toBe(true);
    now += KEEP_KNOWN_MS;
    await joined.join('b1', [ended(1)], leaving('left by 2'), Promise.resolve('read 2'));
    now += KEEP_KNOWN_MS + 1;
    // Kept too long: read again.
    expect(joined.busy('b1')).toBe(false);
    await joined.join('b1', [ended(2)], leaving('left by 3'), Promise.resolve('read 3'));
    // Started from what the one before left, and found it stale (it leaves nothing).
    await joined.join('b1', [ended(3)], leaving(undefined), Promise.resolve('read 4'));
    await joined.join('b1', [ended(4)], leaving('left by 5'), Promise.resolve('read 5'));
    // What it left is not used for a while: other containers refill the batch too.
    now += STALE_COOL_DOWN_MS - 1;
    await joined.join('b1', [ended(5)], leaving('left by 6'), Promise.resolve('read 6'));
    now += 1;
    await joined.join('b1', [ended(6)], leaving('left by 7'), Promise.resolve('read 7'));
    expect(seen).toEqual([
      'read 1',
      'left by 1',
      'read 3',
      'left by 3',
      'read 5',
      'read 6',
      'left by 6',
    ]);
  });
});
