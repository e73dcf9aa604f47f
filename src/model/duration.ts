/** Durations as an expert writes them in a load model: "90s", "2m", "1h30m", "500ms". */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(?:(\d+(?:\.\d+)?)(ms|h|m|s))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(PART_RE)) total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return total;
}

/** k6 accepts Go durations; whole seconds keep options.json readable. */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec || (!h && !m) ? `${sec}s` : ''}`;
}
