/**
 * m365-defender/redis: the SDK's stores in Redis, for apps that run in more than one process:
 * {@link RedisQuotaStore} (pacing shared by every process of an app), {@link RedisCheckpointStore}
 * and {@link RedisLease} (one change feed advanced by one worker at a time). Each takes a connected
 * client of `redis` (node-redis) or `ioredis`, which you install and connect; this entry never
 * loads either package, and the main entry never loads this one. See `docs/scaling.md`.
 *
 * @packageDocumentation
 * @module m365-defender/redis
 */
export { RedisQuotaStore, type RedisQuotaStoreOptions } from './quota.js';
export { RedisCheckpointStore, type RedisCheckpointStoreOptions } from './checkpoint.js';
export { RedisLease, type RedisLeaseOptions } from './lease.js';
export type { IoRedisLike, NodeRedisLike, RedisClientLike, RedisStoreOptions } from './connection.js';
