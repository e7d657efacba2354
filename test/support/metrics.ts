// One series of a service's Prometheus /metrics, read over real HTTP.

const exposition = async (baseUrl: string) => (await fetch(new URL('/metrics', baseUrl))).text();

/** The value of `series` (name and labels, as exposed), or null when the service exposes no such series yet. */
export async function readMetric(baseUrl: string, series: string): Promise<number | null> {
  const text = await exposition(baseUrl);
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

/** The sum of every series of the metric `name` (all label sets; 0 when none is exposed yet). */
export async function sumMetric(baseUrl: string, name: string): Promise<number> {
  const text = await exposition(baseUrl);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Password verifications (argon2) a control plane has made, whatever their purpose and outcome. */
export const passwordVerifications = (controlPlaneUrl: string) => sumMetric(controlPlaneUrl, 'control_plane_password_verifications_total');
