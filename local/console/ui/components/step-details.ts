/** The panel for a clicked step: its declaration, or in an execution its evaluated run. */
import { h } from 'preact';
import type { ExecutionStep, NameValue } from '../api';
import {
  type EvaluatedArguments,
  type EvaluationContext,
  evaluateArguments,
  isUnevaluated,
} from '../arguments';
import { formatDuration, formatTime } from '../format';
import type { GraphNode } from '../graph';
import { Facts, JsonBlock, StatusBadge, Table, Value } from './common';

function Outputs(props: { outputs: NameValue[] }) {
  if (props.outputs.length === 0) return h('p', null, 'No outputs reported.');
  return h(Table, {
    class: 'table compact',
    columns: ['Output', 'Value'],
    rows: props.outputs.map((o) =>
      h(
        'tr',
        { key: o.Name },
        h('th', { scope: 'row' }, o.Name),
        h('td', null, h('code', null, o.Value)),
      ),
    ),
  });
}

function EvaluatedArgumentList(props: { values: EvaluatedArguments }) {
  const { values } = props;
  if (values.kind === 'whole') {
    const single = values.result;
    return isUnevaluated(single)
      ? h('p', null, `Not evaluated: ${single.reason}`)
      : h(JsonBlock, { value: single.value, label: 'Evaluated arguments' });
  }
  const entries = values.fields;
  if (entries.length === 0) return h('p', null, 'No arguments.');
  return h(Table, {
    class: 'table compact',
    columns: ['Argument', 'Value'],
    rows: entries.map(([key, value]) =>
      h(
        'tr',
        { key },
        h('th', { scope: 'row' }, key),
        h(
          'td',
          null,
          isUnevaluated(value)
            ? h(
                'span',
                { class: 'muted' },
                `${JSON.stringify(value.expression)} (not evaluated: ${value.reason})`,
              )
            : h(Value, { value: value.value }),
        ),
      ),
    ),
  });
}

/** A step of a pipeline definition. */
export function DeclaredStep(props: { node: GraphNode }) {
  const { node } = props;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'step-title' },
    h('h3', { id: 'step-title' }, `Step ${node.name}`),
    h(Facts, {
      rows: [
        ['Type', node.type],
        ...(node.branch
          ? ([['Runs', `in the ${node.branch.outcome} branch of ${node.branch.condition}`]] as [
              string,
              string,
            ][])
          : []),
        [
          'Outputs',
          node.outputs.map((o) => `${o.OutputName} (${o.OutputType})`).join(', ') || 'none',
        ],
      ],
    }),
    h('h4', null, 'Declaration'),
    h(JsonBlock, { value: node.step, label: `Declaration of ${node.name}` }),
  );
}

/** A step of an execution: status, times, failure reason, evaluated arguments and outputs. */
export function ExecutedStep(props: {
  node: GraphNode;
  step: ExecutionStep | undefined;
  context: EvaluationContext;
  /** The arguments the runtime sent with a waiting callback, when there is one. */
  callbackArguments?: unknown;
}) {
  const { node, step } = props;
  const metadata = step?.Metadata ?? {};
  const outputs = metadata.Lambda?.OutputParameters ?? metadata.Callback?.OutputParameters ?? [];
  const evaluated = () => {
    if (!step) return h('p', null, 'The step has not started.');
    if (props.callbackArguments !== undefined) {
      return h(JsonBlock, { value: props.callbackArguments, label: 'Evaluated arguments' });
    }
    return h(EvaluatedArgumentList, {
      values: evaluateArguments(node.step.Arguments, props.context),
    });
  };
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'step-title', 'data-details': node.name },
    h('h3', { id: 'step-title' }, `Step ${node.name}`),
    h(Facts, {
      rows: [
        ['Type', node.type],
        ['Status', step ? h(StatusBadge, { status: step.StepStatus }) : 'Not started'],
        ['Started', formatTime(step?.StartTime)],
        ['Ended', formatTime(step?.EndTime)],
        ['Duration', formatDuration(step?.StartTime, step?.EndTime)],
        ...(metadata.Condition
          ? ([['Outcome', metadata.Condition.Outcome]] as [string, string][])
          : []),
        ...(metadata.Lambda?.Arn
          ? ([['Function', metadata.Lambda.Arn]] as [string, string][])
          : []),
        ...(metadata.Callback?.CallbackToken
          ? ([['Callback token', metadata.Callback.CallbackToken]] as [string, string][])
          : []),
      ],
    }),
    step?.FailureReason
      ? h(
          'div',
          { class: 'failure', role: 'note' },
          h('h4', null, 'Failure reason'),
          h('p', { class: 'failure-reason' }, step.FailureReason),
        )
      : null,
    h('h4', null, 'Arguments'),
    evaluated(),
    h('h4', null, 'Outputs'),
    h(Outputs, { outputs }),
    h('h4', null, 'Metadata'),
    h(JsonBlock, { value: metadata, label: `Metadata of ${node.name}` }),
  );
}
