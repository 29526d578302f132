import { readFileSync } from 'node:fs';
import { inject } from 'vitest';

/** A CloudFormation resource as it appears in the packaged template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

/** The packaged template's parts that tests look at. */
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

/** Reads the template that the global setup packaged with `sls package`. */
export const loadPackagedTemplate = (): CfnTemplate =>
  JSON.parse(readFileSync(inject('packagedTemplatePath'), 'utf8')) as CfnTemplate;

/** The resources of one CloudFormation type, keyed by logical id. */
export const resourcesOfType = (
  template: CfnTemplate,
  type: string,
): Array<[string, CfnResource]> =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
