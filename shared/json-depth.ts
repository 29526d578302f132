/**
 * Depth of a JSON value, computed without recursion so a hostile, deeply nested
 * event cannot overflow the stack. Stops counting once `limit` is passed.
 */
export const jsonDepthExceeds = (value: unknown, limit: number): boolean => {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined) break;
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return false;
};
