/**
 * A child process for the cross-process test of FileCheckpointStore: adds 1 to the number in
 * checkpoint `counter` of the file `argv[2]`, `argv[3]` times, each by read + compare-and-set,
 * retrying when another process moved it. Prints how many writes it lost to others.
 */
import { FileCheckpointStore } from 'm365-defender';

const [path, times] = process.argv.slice(2);
const store = new FileCheckpointStore(path!);
let conflicts = 0;
for (let done = 0; done < Number(times); ) {
  const entry = await store.get('counter');
  const next = String(Number(entry?.value ?? '0') + 1);
  if (await store.set('counter', next, entry?.version)) done += 1;
  else conflicts += 1;
}
process.stdout.write(JSON.stringify({ conflicts }));
