/**
 * Length of a text in characters (Unicode code points), as SageMaker counts the
 * length of a string value. Code points never outnumber UTF-16 units, so a text
 * whose `.length` is within `limit` needs no count; a longer one is counted without
 * building an array, so a 1 MB input costs one pass and no allocation.
 */
export const characterLength = (text: string, limit = 0): number => {
  if (text.length <= limit) return text.length;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
};
