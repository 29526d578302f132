/** Every waiting callback, of all executions, with its Succeed and Fail forms. */
import { h } from 'preact';
import { executionApi, listCallbacks } from '../api';
import { CallbackCard } from '../components/callbacks';
import { ErrorNote, Loading } from '../components/common';
import { STEP_STATUS_CHANGE } from '../event-types';
import { type OutputDeclaration, pipelineGraph } from '../graph';
import { executionHref } from '../links';
import { useLiveEvents } from '../live';
import { useDebounced, useLoad } from '../use-load';

async function loadCallbacks() {
  const callbacks = await listCallbacks();
  const definitions = new Map<string, Promise<string>>();
  const outputs = await Promise.all(
    callbacks.map(async (callback): Promise<OutputDeclaration[]> => {
      const arn = callback.pipelineExecutionArn;
      if (!definitions.has(arn)) definitions.set(arn, executionApi(arn).definition());
      const graph = pipelineGraph((await definitions.get(arn)) as string);
      return graph.nodes.find((n) => n.name === callback.stepName)?.outputs ?? [];
    }),
  );
  return callbacks.map((callback, index) => ({ callback, outputs: outputs[index] ?? [] }));
}

export function CallbacksView() {
  const waiting = useLoad(loadCallbacks, []);
  const refresh = useDebounced(waiting.reload, 150);
  useLiveEvents((message) => {
    if (message.kind === 'reconnected' || message.event['detail-type'] === STEP_STATUS_CHANGE)
      refresh();
  });
  const body = () => {
    if (waiting.error) return h(ErrorNote, { error: waiting.error });
    if (!waiting.data) return h(Loading, { what: 'callbacks' });
    if (waiting.data.length === 0) return h('p', null, 'No callback is waiting.');
    return waiting.data.map(({ callback, outputs }) =>
      h(
        'div',
        { key: callback.token },
        h(
          'p',
          null,
          'Execution ',
          h(
            'a',
            { href: executionHref(callback.pipelineExecutionArn) },
            callback.pipelineExecutionArn,
          ),
        ),
        h(CallbackCard, { callback, outputs, onDone: refresh }),
      ),
    );
  };
  return h(
    'section',
    { 'aria-labelledby': 'page-title' },
    h('h2', { id: 'page-title', tabIndex: -1 }, 'Waiting callbacks'),
    body(),
  );
}
