/** Every waiting callback, of all executions, with its Succeed and Fail forms. */
import { h } from 'preact';
import { executionApi, listCallbacks } from '../api';
import { CallbackCard } from '../components/callbacks';
import { Page, showList } from '../components/common';
import { STEP_STATUS_CHANGE } from '../event-types';
import { type OutputDeclaration, pipelineGraph } from '../graph';
import { executionHref } from '../links';
import { ofType, useReloadOnEvents } from '../live';
import { useLoad } from '../use-load';

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
  const refresh = useReloadOnEvents(waiting.reload, 150, ofType(STEP_STATUS_CHANGE));
  const body = showList(waiting, { what: 'callbacks', empty: 'No callback is waiting.' }, (items) =>
    items.map(({ callback, outputs }) =>
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
    ),
  );
  return h(Page, { title: 'Waiting callbacks' }, body);
}
