import { describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  loadPackagedTemplate,
  resourcesOfType,
} from '../support/template/packaged-template';

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** Every IAM statement in the template, with where it was found. */
const iamStatements = (template: CfnTemplate): Array<{ where: string; statement: Statement }> => {
  const found: Array<{ where: string; statement: Statement }> = [];
  const collect = (where: string, document: unknown) => {
    const statements = (document as { Statement?: Statement | Statement[] } | undefined)?.Statement;
    for (const statement of [statements ?? []].flat()) found.push({ where, statement });
  };
  for (const [id, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
    const policies = (role.Properties?.Policies ?? []) as Array<{ PolicyDocument?: unknown }>;
    for (const policy of policies) collect(id, policy.PolicyDocument);
  }
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, policy] of resourcesOfType(template, type)) {
      collect(id, policy.Properties?.PolicyDocument);
    }
  }
  return found;
};

const GUARDED_SERVICES = /^(sagemaker|lambda|sqs|\*)(:|$)/i;

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)/i;
const SECRET_VALUE = [
  /AKIA[0-9A-Z]{16}/, // AWS access key id
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[A-Za-z0-9/+=]{40}$/, // the shape of an AWS secret access key
  /^(ghp|gho|xox[baprs])[-_][A-Za-z0-9-]{10,}/, // GitHub and Slack tokens
];

describe('packaged CloudFormation template security', () => {
  const template = loadPackagedTemplate();

  it('grants no SageMaker, Lambda or SQS action on Resource "*"', () => {
    const statements = iamStatements(template);
    expect(statements.length).toBeGreaterThan(0);
    const offending = statements.filter(({ statement }) => {
      const actions = [statement.Action ?? []].flat();
      const resources = [statement.Resource ?? []].flat();
      return (
        statement.Effect !== 'Deny' &&
        actions.some((action) => GUARDED_SERVICES.test(action)) &&
        resources.some((resource) => resource === '*')
      );
    });
    expect(offending).toEqual([]);
  });

  it('requires AWS_IAM authorization on every HTTP API route', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBeGreaterThan(0);
    const open = routes
      .filter(([, route]) => route.Properties?.AuthorizationType !== 'AWS_IAM')
      .map(([id, route]) => `${id} ${String(route.Properties?.RouteKey)}`);
    expect(open).toEqual([]);
  });

  it('gives no function a resource policy with a wildcard principal', () => {
    const wildcard = resourcesOfType(template, 'AWS::Lambda::Permission')
      .filter(([, permission]) => {
        const principal = permission.Properties?.Principal;
        return principal === '*' || JSON.stringify(principal ?? '').includes('"*"');
      })
      .map(([id]) => id);
    expect(wildcard).toEqual([]);
  });

  it('keeps no secret-looking value in any function environment', () => {
    const suspicious: string[] = [];
    for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const variables = ((fn.Properties?.Environment as { Variables?: Record<string, unknown> })
        ?.Variables ?? {}) as Record<string, unknown>;
      for (const [name, value] of Object.entries(variables)) {
        if (typeof value !== 'string') continue;
        if (SECRET_NAME.test(name) && value !== '') suspicious.push(`${id}.${name}`);
        if (SECRET_VALUE.some((pattern) => pattern.test(value))) suspicious.push(`${id}.${name}`);
      }
    }
    expect(suspicious).toEqual([]);
  });
});
