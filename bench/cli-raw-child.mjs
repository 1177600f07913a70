// Figure 9's baseline: what a hand-written script does to put a hunt into a CSV file, in a fresh
// process. Run by bench/figures/cli-hunt.ts as `node cli-raw-child.mjs` with the simulator's
// environment (AZURE_*, DEFENDER_API_BASE_URL, NODE_EXTRA_CA_CERTS): one token POST, one
// advancedhunting/run call read whole (`res.text()` + `JSON.parse`), then RFC 4180 lines written
// to stdout in batches of about 64 KiB (honouring back-pressure). Prints its peak RSS on stderr as
// `max-rss-kb=N`, as the hook the CLI runs under does.
const env = process.env;
const form = new URLSearchParams({
  grant_type: 'client_credentials',
  client_id: env.AZURE_CLIENT_ID,
  client_secret: env.AZURE_CLIENT_SECRET,
  scope: 'https://api.security.microsoft.com/.default',
});
const tokenResponse = await fetch(`${env.AZURE_AUTHORITY_HOST}/${env.AZURE_TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', body: form });
if (!tokenResponse.ok) throw new Error(`token request: ${tokenResponse.status}`);
const { access_token: token } = await tokenResponse.json();
const res = await fetch(`${env.DEFENDER_API_BASE_URL}/api/advancedhunting/run`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
  body: JSON.stringify({ Query: process.argv[2] }),
});
if (!res.ok) throw new Error(`hunting call: ${res.status}`);
const body = JSON.parse(await res.text());
const columns = body.Schema.map((column) => column.Name);
const cell = (value) => {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};
// Lines joined into writes of about 64 KiB, as the CLI writes them (one write a line costs a
// system call each: the baseline would then pay what the CLI does not).
const write = (text) => (process.stdout.write(text) ? undefined : new Promise((resolve) => process.stdout.once('drain', resolve)));
let batch = `${columns.map(cell).join(',')}\r\n`;
for (const row of body.Results) {
  batch += `${columns.map((name) => cell(row[name])).join(',')}\r\n`;
  if (batch.length >= 65_536) {
    const waiting = write(batch);
    batch = '';
    if (waiting) await waiting;
  }
}
await write(batch);
process.on('exit', () => process.stderr.write(`\nmax-rss-kb=${process.resourceUsage().maxRSS}\n`));
