// Wall-clock times shown in the browser's local time zone.

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** "2024-05-01 12:34:56.789" in local time, from milliseconds since the epoch. */
export function formatDateTimeMs(ms: number): string {
  const d = new Date(ms);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return `${date} ${time}`;
}

/** The same for microseconds since the epoch, as the trace APIs send them. */
export function formatDateTimeUs(us: number): string {
  return formatDateTimeMs(Math.floor(us / 1000));
}

/** The value an <input type="datetime-local"> shows for a time in milliseconds. */
export function toDateTimeLocal(ms: number): string {
  return formatDateTimeMs(ms).slice(0, 16).replace(" ", "T");
}

/** Milliseconds for a datetime-local value, or NaN when it is not a time. */
export function fromDateTimeLocal(value: string): number {
  return value ? new Date(value).getTime() : Number.NaN;
}
