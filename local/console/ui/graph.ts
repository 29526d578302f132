/**
 * A pipeline definition as a graph: one node per step (Condition branch steps included) and edges
 * from `DependsOn`, from data references (`{"Get": "Steps.X..."}`, Std:JsonGet property files
 * included) and from a Condition to its if/else steps. Tolerant by design: it draws definitions
 * with step types the local runtime cannot run (a Processing or Training step written by the
 * SageMaker Python SDK) and reports what it could not place instead of failing.
 */
import type { Json } from '../../engine/definition';

export type EdgeKind = 'depends' | 'data' | 'if' | 'else';

export interface OutputDeclaration {
  OutputName: string;
  OutputType: string;
}

export interface GraphNode {
  name: string;
  type: string;
  displayName?: string;
  /** The step's own declaration (a Condition's without its branch steps). */
  step: { [key: string]: Json };
  outputs: OutputDeclaration[];
  branch?: { condition: string; outcome: 'if' | 'else' };
}

export interface GraphEdge {
  from: string;
  to: string;
  kinds: EdgeKind[];
}

export interface PipelineGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  parameters: { Name: string; Type: string; DefaultValue?: Json }[];
  /** What could not be drawn: a reference to an unknown step, a malformed step. */
  problems: string[];
}

type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STEP_REFERENCE = /^Steps\.([^.[]+)/;

/** Names of the steps a value reads (`{"Get": "Steps.<name>...."}`), in order of appearance. */
export function referencedSteps(value: Json | undefined, into: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) referencedSteps(item, into);
  } else if (isObject(value)) {
    if (typeof value.Get === 'string' && Object.keys(value).length === 1) {
      const step = STEP_REFERENCE.exec(value.Get)?.[1];
      if (step && !into.includes(step)) into.push(step);
      return into;
    }
    for (const child of Object.values(value)) referencedSteps(child, into);
  }
  return into;
}

function stepList(value: Json | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** A Condition's declaration without its branch steps (they are nodes of their own). */
function ownDeclaration(step: JsonObject): JsonObject {
  if (step.Type !== 'Condition' || !isObject(step.Arguments)) return step;
  const { IfSteps: _if, ElseSteps: _else, ...args } = step.Arguments;
  return { ...step, Arguments: args };
}

function outputsOf(step: JsonObject): OutputDeclaration[] {
  return stepList(step.OutputParameters)
    .filter((o) => typeof o.OutputName === 'string')
    .map((o) => ({ OutputName: String(o.OutputName), OutputType: String(o.OutputType ?? '') }));
}

/** Builds the graph of a definition (a JSON string or an already parsed object). */
export function pipelineGraph(definition: string | Json): PipelineGraph {
  const parsed: Json = typeof definition === 'string' ? JSON.parse(definition) : definition;
  const problems: string[] = [];
  const nodes: GraphNode[] = [];
  const root = isObject(parsed) ? parsed : {};
  const add = (list: JsonObject[], branch?: GraphNode['branch']) => {
    for (const step of list) {
      if (typeof step.Name !== 'string' || step.Name === '') {
        problems.push('a step has no Name and is not drawn');
        continue;
      }
      if (nodes.some((n) => n.name === step.Name)) {
        problems.push(`step name '${step.Name}' is used more than once`);
        continue;
      }
      nodes.push({
        name: step.Name,
        type: typeof step.Type === 'string' ? step.Type : 'Unknown',
        ...(typeof step.DisplayName === 'string' ? { displayName: step.DisplayName } : {}),
        step: ownDeclaration(step),
        outputs: outputsOf(step),
        ...(branch ? { branch } : {}),
      });
      if (step.Type === 'Condition' && isObject(step.Arguments)) {
        add(stepList(step.Arguments.IfSteps), { condition: step.Name, outcome: 'if' });
        add(stepList(step.Arguments.ElseSteps), { condition: step.Name, outcome: 'else' });
      }
    }
  };
  add(stepList(root.Steps));

  const names = new Set(nodes.map((n) => n.name));
  const edges = new Map<string, GraphEdge>();
  const connect = (from: string, to: string, kind: EdgeKind) => {
    if (!names.has(from)) {
      problems.push(`step '${to}' refers to unknown step '${from}'`);
      return;
    }
    if (from === to) return;
    const key = `${from}\u0000${to}`;
    const edge = edges.get(key) ?? { from, to, kinds: [] };
    if (!edge.kinds.includes(kind)) edge.kinds.push(kind);
    edges.set(key, edge);
  };
  for (const node of nodes) {
    if (node.branch) connect(node.branch.condition, node.name, node.branch.outcome);
    const dependsOn = Array.isArray(node.step.DependsOn) ? node.step.DependsOn : [];
    for (const dependency of dependsOn) {
      if (typeof dependency === 'string') connect(dependency, node.name, 'depends');
    }
    for (const source of referencedSteps(node.step)) connect(source, node.name, 'data');
  }
  const parameters = stepList(root.Parameters)
    .filter((p) => typeof p.Name === 'string')
    .map((p) => ({
      Name: String(p.Name),
      Type: String(p.Type ?? 'String'),
      ...(p.DefaultValue !== undefined ? { DefaultValue: p.DefaultValue } : {}),
    }));
  return { nodes, edges: [...edges.values()], parameters, problems };
}

/** {@link pipelineGraph}, with a definition that is not JSON as an error to show. */
export function tryPipelineGraph(definition: string): { graph: PipelineGraph } | { error: Error } {
  try {
    return { graph: pipelineGraph(definition) };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}
