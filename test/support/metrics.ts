// One series of a service's Prometheus /metrics, read over real HTTP.

/** The value of `series` (name and labels, as exposed), or null when the service exposes no such series yet. */
export async function readMetric(baseUrl: string, series: string): Promise<number | null> {
  const text = await (await fetch(new URL('/metrics', baseUrl))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}
