/** Display helpers: times, durations, statuses. */

/** Epoch seconds (the API's timestamps) as a local `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  const date = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The time between two epoch-second timestamps, e.g. `1.2 s`, `3 min 4 s`. */
export function formatDuration(start: number | undefined, end: number | undefined): string {
  if (start === undefined || end === undefined) return '—';
  const seconds = Math.max(0, end - start);
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

export const TERMINAL_STATUSES: readonly string[] = ['Succeeded', 'Failed', 'Stopped'];

/** The status class of a step or execution status (`status-succeeded`, ...). */
export function statusClass(status: string): string {
  return `status-${status.toLowerCase().replace(/[^a-z]/g, '-')}`;
}
