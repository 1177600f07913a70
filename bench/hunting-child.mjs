// One hunting call in a fresh process, for figure 2's peak-memory measurement; run by
// bench/figures/hunting.ts as `node hunting-child.mjs <fetch|text|sdk|stream> <apiBaseUrl> <dist/index.js URL> <token>`.
// Plain JavaScript on plain node (no tsx loader) so that both variants carry the same runtime
// and the only difference is the code under test. Prints one JSON line: {variant, rows, ms, maxRssKb}.
const [variant, apiBaseUrl, distUrl, token] = process.argv.slice(2);
const query = 'DeviceProcessEvents | take 100000';
const started = performance.now();
let rows = 0;

if (variant === 'fetch' || variant === 'text') {
  const res = await fetch(`${apiBaseUrl}/api/advancedhunting/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ Query: query }),
  });
  const body = variant === 'fetch' ? await res.json() : JSON.parse(await res.text());
  rows = body.Results.length;
} else {
  const { DefenderClient } = await import(distUrl);
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const later = { rateLimit: false, silenceDeprecationWarnings: true };
  const options = {
    credential,
    cloud: { authorityHost: 'https://login.microsoftonline.com', apiBaseUrl, scope: 'https://api.security.microsoft.com/.default' },
    maxRetries: 0,
    ...later,
  };
  let client;
  while (!client) {
    try {
      client = new DefenderClient(options);
    } catch (error) {
      // older clients refuse options they do not know, by name
      if (!(error?.option in later) || !(error.option in options)) throw error;
      delete options[error.option];
    }
  }
  if (variant === 'sdk') {
    const result = await client.advancedHunting.run(query);
    rows = result.rows.length;
  } else if (variant === 'stream') {
    if (typeof client.advancedHunting.stream !== 'function') throw new Error('advancedHunting.stream() is not in this build');
    for await (const row of client.advancedHunting.stream(query)) {
      if (row) rows++;
    }
  } else {
    throw new Error(`unknown variant ${variant}`);
  }
}

const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ variant, rows, ms, maxRssKb: process.resourceUsage().maxRSS })}\n`);
