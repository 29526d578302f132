/// <reference lib="dom" />
/**
 * One EventSource on `/_local/events` for the whole page. Views subscribe to the runtime's status
 * events; after a reconnect they are told to reload, since events sent meanwhile are lost.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PipelineEvent } from '../../events';
import { EXECUTION_STATUS_CHANGE, STEP_STATUS_CHANGE } from './event-types';
import { useDebounced } from './use-load';

export type LiveMessage = { kind: 'event'; event: PipelineEvent } | { kind: 'reconnected' };
type Listener = (message: LiveMessage) => void;

const listeners = new Set<Listener>();
const stateListeners = new Set<(connected: boolean) => void>();
let source: EventSource | undefined;
let connected = false;
let openedBefore = false;

const EVENT_TYPES = [EXECUTION_STATUS_CHANGE, STEP_STATUS_CHANGE];

function setConnected(value: boolean) {
  connected = value;
  for (const listener of stateListeners) listener(value);
}

function ensureSource() {
  if (source) return;
  source = new EventSource('/_local/events');
  source.addEventListener('open', () => {
    setConnected(true);
    if (openedBefore) for (const listener of listeners) listener({ kind: 'reconnected' });
    openedBefore = true;
  });
  source.addEventListener('error', () => setConnected(false));
  const deliver = (message: MessageEvent<string>) => {
    const event = JSON.parse(message.data) as PipelineEvent;
    for (const listener of listeners) listener({ kind: 'event', event });
  };
  for (const type of EVENT_TYPES) source.addEventListener(type, deliver);
}

/** Calls `listener` for every status event (and after reconnects) while the component lives. */
export function useLiveEvents(listener: Listener): void {
  const current = useRef(listener);
  current.current = listener;
  useEffect(() => {
    ensureSource();
    const forward: Listener = (message) => current.current(message);
    listeners.add(forward);
    return () => {
      listeners.delete(forward);
    };
  }, []);
}

/**
 * Calls `reload`, debounced by `ms`, after every status event that `matches` and after a
 * reconnect; returns the debounced reload for the view's own use.
 */
export function useReloadOnEvents(
  reload: () => void,
  ms: number,
  matches: (event: PipelineEvent) => boolean,
): () => void {
  const refresh = useDebounced(reload, ms);
  useLiveEvents((message) => {
    if (message.kind === 'reconnected' || matches(message.event)) refresh();
  });
  return refresh;
}

/** Matches the events of one `detail-type`. */
export const ofType =
  (type: string) =>
  (event: PipelineEvent): boolean =>
    event['detail-type'] === type;

/** Whether the event stream is connected, for the header's indicator. */
export function useLiveState(): boolean {
  const [state, setState] = useState(connected);
  useEffect(() => {
    ensureSource();
    stateListeners.add(setState);
    setState(connected);
    return () => {
      stateListeners.delete(setState);
    };
  }, []);
  return state;
}
