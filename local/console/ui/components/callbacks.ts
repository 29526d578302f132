/**
 * A waiting callback: its message, a "Succeed" form with one field per declared output (typed:
 * Boolean a choice, Integer and Float numbers) and a "Fail" form with a reason. Both call the API
 * operations an SDK would: SendPipelineExecutionStepSuccess and SendPipelineExecutionStepFailure.
 */
import { h } from 'preact';
import { useState } from 'preact/hooks';
import type { ParameterType } from '../../../engine/definition';
import { parseTyped } from '../../../engine/values';
import { type QueuedCallback, sendStepFailure, sendStepSuccess } from '../api';
import { formatTime } from '../format';
import type { OutputDeclaration } from '../graph';
import { ErrorNote, Facts, JsonBlock } from './common';

/** FailureReason is a String256 in the API model. */
const MAX_REASON = 256;

function OutputField(props: {
  id: string;
  output: OutputDeclaration;
  value: string;
  onInput(value: string): void;
}) {
  const { output, id } = props;
  const label = h('label', { for: id }, `${output.OutputName} (${output.OutputType})`);
  if (output.OutputType === 'Boolean') {
    return h(
      'div',
      { class: 'field' },
      label,
      h(
        'select',
        {
          id,
          name: output.OutputName,
          value: props.value,
          onChange: (event: Event) =>
            props.onInput((event.currentTarget as HTMLSelectElement).value),
        },
        h('option', { value: 'true' }, 'true'),
        h('option', { value: 'false' }, 'false'),
      ),
    );
  }
  const numeric = output.OutputType === 'Integer' || output.OutputType === 'Float';
  return h(
    'div',
    { class: 'field' },
    label,
    h('input', {
      id,
      name: output.OutputName,
      type: numeric ? 'number' : 'text',
      step: output.OutputType === 'Integer' ? '1' : numeric ? 'any' : undefined,
      required: true,
      value: props.value,
      onInput: (event: Event) => props.onInput((event.currentTarget as HTMLInputElement).value),
    }),
  );
}

/** The first output whose value does not parse as its declared type, as a message. */
export function invalidOutput(
  outputs: OutputDeclaration[],
  values: Record<string, string>,
): string | undefined {
  for (const output of outputs) {
    const value = values[output.OutputName] ?? '';
    const type = output.OutputType as ParameterType;
    const article = /^[AEIOU]/.test(output.OutputType) ? 'an' : 'a';
    if (output.OutputType !== 'String' && value.trim() === '') {
      return `${output.OutputName} needs ${article} ${output.OutputType} value`;
    }
    if (parseTyped(type, value) === undefined) {
      return `${output.OutputName} must be ${article} ${output.OutputType}, got '${value}'`;
    }
  }
  return undefined;
}

export function CallbackCard(props: {
  callback: QueuedCallback;
  outputs: OutputDeclaration[];
  onDone(): void;
}) {
  const { callback, outputs } = props;
  const initial = Object.fromEntries(
    outputs.map((o) => [o.OutputName, o.OutputType === 'Boolean' ? 'true' : '']),
  );
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const id = (suffix: string) => `cb-${callback.token}-${suffix}`;

  const run = async (action: () => Promise<unknown>, message: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      setDone(message);
      props.onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const succeed = (event: Event) => {
    event.preventDefault();
    const invalid = invalidOutput(outputs, values);
    if (invalid) {
      setError(new Error(invalid));
      return;
    }
    void run(
      () =>
        sendStepSuccess(
          callback.token,
          outputs.map((o) => ({ Name: o.OutputName, Value: values[o.OutputName] ?? '' })),
        ),
      `Sent success for ${callback.stepName}.`,
    );
  };

  const fail = (event: Event) => {
    event.preventDefault();
    void run(
      () => sendStepFailure(callback.token, reason),
      `Sent failure for ${callback.stepName}.`,
    );
  };

  return h(
    'article',
    { class: 'callback', 'aria-labelledby': id('title'), 'data-callback': callback.stepName },
    h('h3', { id: id('title') }, `Callback ${callback.stepName}`),
    h(Facts, {
      rows: [
        ['Status', callback.status],
        ['Waiting since', formatTime(Date.parse(callback.waitingSince) / 1000)],
        ['Token', h('code', null, callback.token)],
        ...(callback.sqsQueueUrl ? ([['Queue', callback.sqsQueueUrl]] as [string, string][]) : []),
      ],
    }),
    h('h4', null, 'Message arguments'),
    h(JsonBlock, {
      value: callback.arguments,
      label: `Arguments of callback ${callback.stepName}`,
    }),
    done
      ? h('p', { class: 'notice', role: 'status' }, done)
      : h(
          'div',
          { class: 'callback-forms' },
          h(
            'form',
            { onSubmit: succeed, 'aria-label': `Succeed ${callback.stepName}` },
            h('h4', null, 'Succeed'),
            outputs.length === 0 ? h('p', null, 'The step declares no outputs.') : null,
            outputs.map((output) =>
              h(OutputField, {
                key: output.OutputName,
                id: id(`out-${output.OutputName}`),
                output,
                value: values[output.OutputName] ?? '',
                onInput: (value) => setValues({ ...values, [output.OutputName]: value }),
              }),
            ),
            h('button', { type: 'submit', class: 'primary', disabled: busy }, 'Succeed'),
          ),
          h(
            'form',
            { onSubmit: fail, 'aria-label': `Fail ${callback.stepName}` },
            h('h4', null, 'Fail'),
            h(
              'div',
              { class: 'field' },
              h('label', { for: id('reason') }, 'Reason'),
              h('textarea', {
                id: id('reason'),
                name: 'reason',
                maxLength: MAX_REASON,
                rows: 2,
                value: reason,
                onInput: (event: Event) =>
                  setReason((event.currentTarget as HTMLTextAreaElement).value),
              }),
            ),
            h('button', { type: 'submit', class: 'danger', disabled: busy }, 'Fail'),
          ),
        ),
    error ? h(ErrorNote, { error }) : null,
  );
}
