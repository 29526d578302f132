/**
 * Float values. A Float parameter or output keeps its type, so it renders as a float (`1.0`, not
 * `1`) wherever SageMaker shows it as text: Std:Join, ListPipelineParametersForExecution and step
 * outputs.
 *
 * How SageMaker itself renders a Float is not published. Local mode renders it as Python's
 * `str(float)` does, the form pipeline code sees everywhere else: the SageMaker Python SDK writes
 * definitions with `json.dumps` (a Float default of 2.0 is `2.0`, 0.00001 is `1e-05`), sends
 * start parameters as `str(value)`, and its own local mode joins values with `str()`
 * (sagemaker/local/pipeline.py, `_evaluate_join_function`).
 */
export class FloatValue {
  constructor(readonly value: number) {}

  /** In JSON (a Lambda event, a Callback message) a Float is a plain number. */
  toJSON(): number {
    return this.value;
  }

  toString(): string {
    return pythonFloat(this.value);
  }
}

/**
 * Python's `repr(float)` (= `str(float)`): the shortest digits that read back as the same double
 * (JavaScript's `toExponential()` finds the same ones), written positionally with a trailing `.0`
 * when the decimal point falls after the 4th place left of it and no later than the 16th digit,
 * otherwise in exponent form with a signed exponent of at least two digits (CPython
 * Python/pystrtod.c, `format_float_short`, mode 'r').
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0.0`;
  const [mantissa = '', exponent = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  // The decimal point sits `point` places after the first digit's position: 0.d1d2... x 10^point.
  const point = Number(exponent) + 1;
  if (point > -4 && point <= 16) {
    if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const power = point - 1;
  return `${sign}${head}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
}
