import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  pipelineGraph,
  referencedSteps,
  tryPipelineGraph,
} from '../../../../local/console/ui/graph';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from '../../../../local/console/ui/layout';

const root = resolve(import.meta.dirname, '../../../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

const edgesOf = (definition: string) =>
  pipelineGraph(definition)
    .edges.map((e) => `${e.from}->${e.to}:${e.kinds.join('+')}`)
    .sort();

describe('console graph: pipelines/parent.json', () => {
  const graph = pipelineGraph(read('pipelines/parent.json'));

  it('has a node for every step, branch steps included, each with its type and branch', () => {
    expect(graph.nodes.map((n) => [n.name, n.type, n.branch?.outcome])).toEqual([
      ['BuildPrefix', 'Lambda', undefined],
      ['InspectItems', 'Lambda', undefined],
      ['HasItems', 'Condition', undefined],
      ['PlanBatches', 'Lambda', 'if'],
      ['FanOut', 'Lambda', 'if'],
      ['NoItems', 'Fail', 'else'],
    ]);
    expect(graph.problems).toEqual([]);
  });

  it('draws data references, and a Condition to each branch step, but not the branch steps as the Condition reading them', () => {
    expect(edgesOf(read('pipelines/parent.json'))).toEqual([
      'BuildPrefix->FanOut:data',
      'HasItems->FanOut:if',
      'HasItems->NoItems:else',
      'HasItems->PlanBatches:if',
      'InspectItems->HasItems:data',
      'PlanBatches->FanOut:data',
    ]);
    const condition = graph.nodes.find((n) => n.name === 'HasItems');
    expect(Object.keys(condition?.step.Arguments ?? {})).toEqual(['Conditions']);
  });

  it('keeps the declared outputs and parameters for the callback forms and argument view', () => {
    expect(graph.nodes.find((n) => n.name === 'FanOut')?.outputs).toContainEqual({
      OutputName: 'complete',
      OutputType: 'Boolean',
    });
    expect(graph.parameters.map((p) => `${p.Name}:${p.Type}`)).toEqual([
      'Items:String',
      'BatchSize:Integer',
    ]);
  });

  it('lays out every node without overlap and every edge with points', () => {
    const layout = layoutGraph(graph);
    expect(layout.nodes.map((n) => n.name).sort()).toEqual(graph.nodes.map((n) => n.name).sort());
    for (const a of layout.nodes) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + NODE_WIDTH).toBeLessThanOrEqual(layout.width);
      expect(a.y + NODE_HEIGHT).toBeLessThanOrEqual(layout.height);
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart =
          a.x + a.width <= b.x ||
          b.x + b.width <= a.x ||
          a.y + a.height <= b.y ||
          b.y + b.height <= a.y;
        expect(apart, `${a.name} overlaps ${b.name}`).toBe(true);
      }
    }
    expect(layout.edges).toHaveLength(graph.edges.length);
    for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
    const branchEdges = layout.edges.filter(
      (e) => e.kinds.includes('if') || e.kinds.includes('else'),
    );
    for (const edge of branchEdges) expect(edge.label).toBeDefined();
  });

  it('places a step below the steps it reads from', () => {
    const layout = layoutGraph(graph);
    const y = (name: string) => layout.nodes.find((n) => n.name === name)?.y ?? Number.NaN;
    expect(y('FanOut')).toBeGreaterThan(y('PlanBatches'));
    expect(y('PlanBatches')).toBeGreaterThan(y('HasItems'));
    expect(y('HasItems')).toBeGreaterThan(y('InspectItems'));
  });
});

describe('console graph: a definition in the shape the SageMaker Python SDK writes', () => {
  // Processing, Training and RegisterModel steps (which local mode cannot run) are still drawn;
  // property references and Std:JsonGet property files are data edges.
  const text = read('test/local/console/fixtures/sdk-abalone-pipeline.json');

  it('draws every step and its dependencies', () => {
    const graph = pipelineGraph(text);
    expect(graph.nodes.map((n) => `${n.name}:${n.type}`)).toEqual([
      'AbaloneProcess:Processing',
      'AbaloneTrain:Training',
      'AbaloneEval:Processing',
      'AbaloneMSECond:Condition',
      'AbaloneRegisterModel-RegisterModel:RegisterModel',
      'AbaloneMSEFail:Fail',
    ]);
    expect(edgesOf(text)).toEqual([
      'AbaloneEval->AbaloneMSECond:data',
      'AbaloneMSECond->AbaloneMSEFail:else',
      'AbaloneMSECond->AbaloneRegisterModel-RegisterModel:if',
      'AbaloneProcess->AbaloneEval:data',
      'AbaloneProcess->AbaloneTrain:data',
      'AbaloneTrain->AbaloneEval:data',
      'AbaloneTrain->AbaloneRegisterModel-RegisterModel:data',
    ]);
    expect(layoutGraph(pipelineGraph(text)).nodes).toHaveLength(6);
  });
});

describe('console graph: edge cases', () => {
  it('merges DependsOn and a data reference to the same step into one edge', () => {
    const graph = pipelineGraph({
      Version: '2020-12-01',
      Steps: [
        { Name: 'A', Type: 'Lambda' },
        {
          Name: 'B',
          Type: 'Lambda',
          DependsOn: ['A'],
          Arguments: { x: { Get: "Steps.A.OutputParameters['y']" } },
        },
      ],
    });
    expect(graph.edges).toEqual([{ from: 'A', to: 'B', kinds: ['depends', 'data'] }]);
  });

  it('names what it cannot draw instead of failing', () => {
    const graph = pipelineGraph({
      Version: '2020-12-01',
      Steps: [
        { Name: 'A', Type: 'Lambda', DependsOn: ['Ghost'] },
        { Name: 'A', Type: 'Fail' },
        { Type: 'Lambda' },
      ],
    });
    expect(graph.nodes.map((n) => n.name)).toEqual(['A']);
    expect(graph.problems).toEqual([
      "step name 'A' is used more than once",
      'a step has no Name and is not drawn',
      "step 'A' refers to unknown step 'Ghost'",
    ]);
    expect(tryPipelineGraph('{not json')).toMatchObject({ error: expect.any(SyntaxError) });
  });

  it('finds step references inside Std:Join and Std:JsonGet, once each', () => {
    expect(
      referencedSteps({
        a: {
          'Std:Join': { On: '/', Values: [{ Get: 'Steps.T.OutputDataConfig.S3OutputPath' }, 'x'] },
        },
        b: { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.E.PropertyFiles.R' }, Path: 'p' } },
        c: { Get: "Steps.T.OutputParameters['z']" },
        d: { Get: 'Parameters.P' },
      }),
    ).toEqual(['T', 'E']);
  });
});
