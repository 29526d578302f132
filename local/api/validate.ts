import { characterLength } from '../../shared/text-length';
import { SageMakerApiError } from './errors';
import { type ApiModel, apiModel, type ShapeModel } from './model';

/**
 * Patterns whose anchored JavaScript form would backtrack exponentially on large inputs, mapped
 * to an equivalent linear expression. `.*(?:[ \r\n\t].*)*` (PipelineDefinition, up to 1 MiB)
 * accepts any text whose only line terminators are \r and \n.
 */
const EQUIVALENT_PATTERNS: Record<string, RegExp> = {
  '.*(?:[ \\r\\n\\t].*)*': /^[^\u2028\u2029]*$/,
};

const compiled = new Map<string, RegExp>();

/** Problems listed in one error message; a 4 MiB request could otherwise produce megabytes of them. */
const MAX_LISTED = 20;

/** Compiles a model pattern anchored at both ends, as SageMaker matches the whole value. */
export function anchoredPattern(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = EQUIVALENT_PATTERNS[pattern] ?? new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, re);
  }
  return re;
}

/** SageMaker reports member paths in lowerCamelCase (`pipelineParameters.1.member.value`). */
function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    // Nested deeper than JSON.stringify can follow (JSON.parse reads far deeper): its kind only.
    text = Array.isArray(value)
      ? '[...] (nested too deeply to show)'
      : '{...} (nested too deeply to show)';
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

interface Problems {
  constraint: string[];
  serialization: string[];
}

function isTimestamp(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function check(
  model: ApiModel,
  shapeName: string,
  value: unknown,
  path: string,
  problems: Problems,
): void {
  const shape: ShapeModel | undefined = model.shapes[shapeName];
  if (!shape) return;
  const at = path || 'request';
  const fail = (constraint: string) =>
    problems.constraint.push(
      `Value '${show(value)}' at '${at}' failed to satisfy constraint: ${constraint}`,
    );
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.serialization.push(`Expected an object at '${at}', got ${show(value)}`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const required of shape.required ?? []) {
        if (record[required] === undefined || record[required] === null) {
          const memberPath = path ? `${path}.${camel(required)}` : camel(required);
          problems.constraint.push(
            `Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`,
          );
        }
      }
      for (const [member, memberShape] of Object.entries(shape.members ?? {})) {
        const child = record[member];
        if (child === undefined || child === null) continue;
        check(
          model,
          memberShape,
          child,
          path ? `${path}.${camel(member)}` : camel(member),
          problems,
        );
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        problems.serialization.push(`Expected a list at '${at}', got ${show(value)}`);
        return;
      }
      if (shape.min !== undefined && value.length < shape.min) {
        fail(`Member must have length greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value.length > shape.max) {
        fail(`Member must have length less than or equal to ${shape.max}`);
      }
      value.forEach((item, index) => {
        if (shape.member) check(model, shape.member, item, `${at}.${index + 1}.member`, problems);
      });
      return;
    }
    case 'string': {
      if (typeof value !== 'string') {
        problems.serialization.push(`Expected a string at '${at}', got ${show(value)}`);
        return;
      }
      // Lengths count code points, as SageMaker does.
      const length = characterLength(value);
      if (shape.min !== undefined && length < shape.min) {
        fail(`Member must have length greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && length > shape.max) {
        fail(`Member must have length less than or equal to ${shape.max}`);
      }
      if (shape.enum && !shape.enum.includes(value)) {
        fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      if (shape.pattern !== undefined && !anchoredPattern(shape.pattern).test(value)) {
        fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        problems.serialization.push(`Expected an integer at '${at}', got ${show(value)}`);
        return;
      }
      if (shape.min !== undefined && value < shape.min) {
        fail(`Member must have value greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value > shape.max) {
        fail(`Member must have value less than or equal to ${shape.max}`);
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') {
        problems.serialization.push(`Expected a boolean at '${at}', got ${show(value)}`);
      }
      return;
    case 'timestamp':
      if (!isTimestamp(value)) {
        problems.serialization.push(`Expected a timestamp at '${at}', got ${show(value)}`);
      }
      return;
    default:
      return;
  }
}

/**
 * Validates an operation's input against the model and throws the error SageMaker would send:
 * `SerializationException` for a value of the wrong JSON type, otherwise one
 * `ValidationException` listing every constraint violation
 * ("2 validation errors detected: Value ... at 'pipelineName' failed to satisfy constraint: ...").
 */
export function validateInput(operation: string, input: unknown, model = apiModel): void {
  const op = model.operations[operation];
  if (!op?.input) return;
  const problems: Problems = { constraint: [], serialization: [] };
  check(model, op.input, input, '', problems);
  if (problems.serialization.length > 0) {
    throw new SageMakerApiError(
      'SerializationException',
      problems.serialization.slice(0, MAX_LISTED).join('; '),
    );
  }
  const count = problems.constraint.length;
  if (count > 0) {
    throw new SageMakerApiError(
      'ValidationException',
      `${count} validation error${count === 1 ? '' : 's'} detected: ${problems.constraint.slice(0, MAX_LISTED).join('; ')}${count > MAX_LISTED ? `; and ${count - MAX_LISTED} more` : ''}`,
    );
  }
}
