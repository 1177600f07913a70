export * from '../src/index.js';
export { clientOptionsFromEnv } from '../src/env.js';
