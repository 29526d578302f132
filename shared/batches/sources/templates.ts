import type { FieldProblem } from '../../errors';
import { DEFAULT_ITEM_PARAMETER } from '../../fan-out/request';
import { compileValidTemplates, renderParameterValue } from '../../fan-out/template';
import { MAX_PARAMETER_VALUE_LENGTH } from '../../limits';

const ITEMS = /\{\{\s*items\s*\}\}/g;
const ITEM = /\{\{\s*item(\.[^{}]*)?\s*\}\}/;

/** The parameters of a grouped batch when the request gives none: the group in `Item`. */
export const DEFAULT_GROUP_TEMPLATES: Readonly<Record<string, string>> = {
  [DEFAULT_ITEM_PARAMETER]: '{{items}}',
};

/**
 * The templates a batch renders. With `itemsPerExecution` the item a child gets is its group
 * (a JSON array), so `{{items}}` is that item and `{{item}}` has no single meaning: it is
 * refused. Without it, `{{items}}` is refused. Returns the templates as the renderer reads them
 * (`{{items}}` as `{{item}}`) and the problems, by parameter.
 */
export const sourceTemplates = (
  templates: Readonly<Record<string, string>>,
  grouped: boolean,
): { templates: Record<string, string>; problems: FieldProblem[] } => {
  const problems: FieldProblem[] = [];
  const rendered: Record<string, string> = {};
  for (const [name, source] of Object.entries(templates)) {
    const field = `parameters.${name}`;
    if (grouped && ITEM.test(source)) {
      problems.push({
        field,
        problem:
          'uses {{item}} with itemsFrom.itemsPerExecution; a child gets a group of items: use {{items}} (the group as a JSON array)',
      });
    } else if (!grouped && ITEMS.test(source)) {
      problems.push({
        field,
        problem: '{{items}} needs itemsFrom.itemsPerExecution; one item is {{item}}',
      });
    }
    ITEMS.lastIndex = 0;
    rendered[name] = grouped ? source.replace(ITEMS, '{{item}}') : source;
  }
  return { templates: rendered, problems };
};

/** A problem of one item: which of its fields (if one), and what. */
export interface ItemProblem {
  field?: string;
  problem: string;
}

/**
 * Checks one item (or group) against every template, as the fan-out's planner checks inline
 * items: a field a template names must exist, and each value must fit in 1,024 characters.
 * The templates were compiled without error (the planner checked them first).
 */
export const templateChecker = (
  templates: Readonly<Record<string, string>>,
  batchId: string,
  grouped: boolean,
): ((item: unknown, index: number) => ItemProblem[]) => {
  const compiled = compileValidTemplates(templates);
  return (item, index) => {
    const problems: ItemProblem[] = [];
    const memo = new Map<string, string | undefined>();
    for (const { name, template } of compiled) {
      const result = renderParameterValue(template, item, index, batchId, memo);
      if (result.ok) continue;
      if (result.problem.kind === 'missing-field') {
        problems.push({
          field: result.problem.field,
          problem: `is missing; parameters.${name} (${template.source.slice(0, 60)}) names it`,
        });
      } else {
        problems.push({
          problem: `parameters.${name} renders to more than ${MAX_PARAMETER_VALUE_LENGTH} characters (a parameter value's limit)${grouped ? '; lower itemsPerExecution' : ''}`,
        });
      }
    }
    return problems;
  };
};
